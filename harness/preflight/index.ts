// `ranlab preflight`: is the rig sound before a trial touches the air? One row per
// component and check. Checks run concurrently, each bounded in time, so a rig with many
// missing parts still answers within seconds. `ranlab trial` runs the hardware checks
// (radios, modems, edge hosts) at bring-up; its influx, ledger and base-station checks
// are the same calls the session makes (checkReachable, E2 setup).
import { readTlsFiles } from '../certs/index.js';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ComponentError, messageOf } from '../errors.js';
import { Ledger, loadArtifact, type OperatorKey } from '../ledger/index.js';
import { checkInfluxReachable, findInfluxd } from '../measure/index.js';
import { cliEntry, packageRoot } from '../paths.js';
import { withTimeout } from '../proc/index.js';
import { createBaseStation } from '../ran/index.js';
import type { Rig } from '../rig/index.js';
import { gnbVersionHere, gnbVersionOfAgent } from './gnb.js';

export type CheckResult = 'pass' | 'fail' | 'skip';

export interface CheckRow {
  component: string;
  check: string;
  result: CheckResult;
  detail: string;
  ms: number;
}

interface Check {
  component: string;
  check: string;
  /** Resolves to a detail line when the check passes; throws (with the reason) when it fails. */
  run: () => Promise<string>;
  /** Hardware checks also run at trial bring-up. */
  hardware?: boolean;
}

class Skip extends Error {}

export interface PreflightOptions {
  /** Per check (default 6 s). */
  timeoutMs?: number;
  /** Only the checks of real hardware (radios, modems, edge hosts). */
  hardwareOnly?: boolean;
}

/** A TCP connection to host:port (name resolution included) within the timeout. */
export function tcpReachable(address: string, timeoutMs: number): Promise<string> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    sock.once('connect', () => {
      sock.destroy();
      resolve(`${address} accepts connections`);
    });
    sock.once('timeout', () => {
      sock.destroy();
      reject(new Error(`${address}: no answer within ${timeoutMs} ms`));
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      sock.destroy();
      reject(new Error(`${address}: ${err.code === 'ENOTFOUND' ? `host ${host} not found` : err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`));
    });
  });
}

export function checksOf(rig: Rig, timeoutMs: number): Check[] {
  const checks: Check[] = [];

  // The measurement store.
  if (rig.influx.embedded)
    checks.push({
      component: 'influx',
      check: 'influxd installed',
      run: async () => {
        const exe = await findInfluxd();
        if (!exe) throw new Error('influxd not found: install Debian package influxdb');
        return `${exe} (embedded server started at bring-up)`;
      },
    });
  else
    checks.push({
      component: 'influx',
      check: 'reachable, database present',
      run: async () => {
        await checkInfluxReachable(rig.influx.url!, rig.influx.database, timeoutMs);
        return `${rig.influx.url} database ${rig.influx.database}`;
      },
    });

  // The ledger.
  if (rig.ledger.embedded) {
    checks.push({
      component: 'ledger',
      check: 'dev chain and contract built',
      run: async () => {
        loadArtifact();
        const hardhat = join(packageRoot, 'node_modules', '.bin', 'hardhat');
        if (!existsSync(hardhat)) throw new Error('hardhat not installed (npm ci)');
        return 'SpectrumLedger compiled; Hardhat dev chain started at bring-up';
      },
    });
  } else {
    checks.push({
      component: 'ledger',
      check: 'reachable, contract deployed, operators can transact',
      run: async () => {
        const keys: OperatorKey[] = rig.operators.map((o) => ({ name: o.name, account: o.account }));
        const ledger = Ledger.attach({ rpcUrl: rig.ledger.rpc!, contract: rig.ledger.contract! as `0x${string}`, operators: keys });
        try {
          await ledger.checkReachable(timeoutMs);
          return ledger.describe();
        } finally {
          await ledger.close();
        }
      },
    });
  }

  // Base stations: the agent, and its radio.
  for (const bs of rig.basestations) {
    if (bs.driver === 'twin' || (rig.mode === 'twin' && bs.driver !== 'e2'))
      checks.push({
        component: bs.id,
        check: `${bs.driver} agent built`,
        run: async () => {
          if (!existsSync(cliEntry)) throw new Error(`${cliEntry} missing: run npm run build`);
          return `${bs.driver} RAN agent started at bring-up`;
        },
      });
    else
      checks.push({
        component: bs.id,
        check: 'agent: reachable, certificate, backend, gNB',
        hardware: bs.driver !== 'e2',
        run: async () => {
          // The same mutual TLS and identity checks as a trial's bring-up.
          const tls = rig.tls ? readTlsFiles(rig.tls, 'controller') : undefined;
          const driver = createBaseStation(bs.id, bs.address!, { deadlineMs: timeoutMs, tls, expect: { nodeId: bs.id, operator: bs.operator, cells: bs.cells }, leaseRenewMs: 0 });
          try {
            const s = await driver.setup();
            if (bs.driver !== 'e2' && s.backend && s.backend !== bs.driver) throw new Error(`the agent runs backend ${s.backend}, the rig says ${bs.driver}`);
            const gnb = s.baseStation ? `; ${s.baseStation}` : '';
            return `backend ${s.backend || 'unknown'}${gnb}; ${s.cells.length} cells, RAN functions ${s.ranFunctions.map((f) => f.name).join(', ')}`;
          } finally {
            driver.close();
          }
        },
      });
    // An srsRAN gNB's binary must be the release the rig declares: asked on its host.
    if (bs.driver === 'srsran-project' && bs.agent?.mode !== 'attach') {
      if (rig.mode === 'twin')
        checks.push({ component: bs.id, check: 'gNB binary and version', run: () => gnbVersionHere(bs, timeoutMs) });
      else if (bs.address)
        checks.push({
          component: bs.id,
          check: 'gNB binary and version (on the gNB host)',
          hardware: true,
          run: async () => {
            const tls = rig.tls ? readTlsFiles(rig.tls, 'controller') : undefined;
            const driver = createBaseStation(bs.id, bs.address!, { deadlineMs: timeoutMs, tls, leaseRenewMs: 0 });
            try {
              const s = await driver.setup().catch((err: unknown) => {
                throw new Error(`checked by the agent on its host, which did not answer: ${messageOf(err)}`);
              });
              return gnbVersionOfAgent(bs, s);
            } finally {
              driver.close();
            }
          },
        });
    }
    // An srsRAN gNB's USRP belongs to its host: its agent checks it there (before the gNB takes
    // it) and says what it found in E2 Setup; an agent that found no USRP does not start.
    if (bs.radio && bs.driver === 'srsran-project' && bs.address) {
      const radio = bs.radio;
      checks.push({
        component: `${bs.id}/usrp`,
        check: radio.requireRefLock ? 'present, reference locked (on the gNB host)' : 'present (on the gNB host)',
        hardware: true,
        run: async () => {
          const tls = rig.tls ? readTlsFiles(rig.tls, 'controller') : undefined;
          const driver = createBaseStation(bs.id, bs.address!, { deadlineMs: timeoutMs, tls, leaseRenewMs: 0 });
          try {
            const s = await driver.setup().catch((err: unknown) => {
              throw new Error(`checked by the agent on its host, which did not answer: ${err instanceof Error ? err.message : String(err)}`);
            });
            const usrp = /USRP[^;]*/.exec(s.baseStation ?? '')?.[0];
            return usrp ?? `not checked by the agent (${s.baseStation ?? 'no report'}): in attach mode the running gNB owns the USRP`;
          } finally {
            driver.close();
          }
        },
      });
    } else if (bs.radio) {
      const radio = bs.radio;
      checks.push({
        component: `${bs.id}/usrp`,
        check: radio.requireRefLock ? 'present, reference locked' : 'present',
        hardware: true,
        run: async () => {
          const { findUsrps, openUsrp } = await import('../../native/index.js');
          const found = await findUsrps(radio.args);
          if (!found.length) throw new Error(`no USRP matches "${radio.args}"`);
          const desc = `${found[0]!.type ?? ''} ${found[0]!.serial ? `serial ${found[0]!.serial}` : ''}`.trim();
          if (!radio.requireRefLock) return desc;
          const usrp = await openUsrp(radio.args);
          try {
            const s = await usrp.sensor('ref_locked');
            if (s.value !== true && s.value !== 'true') throw new Error(`${desc}: reference not locked`);
            return `${desc}, ref_locked`;
          } finally {
            await usrp.close();
          }
        },
      });
    }
  }

  // UEs.
  for (const ue of rig.ues) {
    if (ue.driver !== 'at-modem') continue;
    if (rig.mode === 'twin') {
      checks.push({
        component: ue.id,
        check: 'pseudo-terminal for the twin modem',
        run: async () => {
          const { openPty } = await import('../../native/index.js');
          const pty = openPty();
          const path = pty.slavePath;
          pty.close();
          return `openpty works (${path}); twin modem started at bring-up`;
        },
      });
      continue;
    }
    checks.push({
      component: ue.id,
      check: 'modem answers AT',
      hardware: true,
      run: async () => {
        if (!existsSync(ue.port!)) throw new Error(`${ue.port}: no such device (unplugged, or another by-id name?)`);
        const { ueAt } = await import('../ue/index.js');
        const r = await ueAt({ id: ue.id, port: ue.port!, baudRate: ue.baudRate }, 'ATI', { timeoutMs });
        if (!r.ok) throw new Error(`ATI answered ${r.final}`);
        return `${r.lines.join(' ')} on ${ue.port}`;
      },
    });
  }

  // Edge hosts (a twin rig's have no address: they are started at bring-up).
  for (const e of rig.edge) {
    const address = e.address;
    if (!address) continue;
    checks.push({ component: e.id, check: 'edge agent reachable', hardware: true, run: () => tcpReachable(address, timeoutMs) });
    if (e.gpus > 0)
      checks.push({
        component: e.id,
        check: `${e.gpus} GPU(s) visible`,
        hardware: true,
        run: async () => {
          if (!rig.tls) throw new Skip('needs the rig\'s tls files to ask the edge agent');
          const { EdgeClient } = await import('../edge/index.js');
          const c = new EdgeClient(e.id, address, rig.tls);
          try {
            const s = await c.status(timeoutMs);
            if (s.gpus.length < e.gpus) throw new Error(`the agent sees ${s.gpus.length} GPU(s) (${s.nvmlNote}); the rig says ${e.gpus}`);
            return s.gpus.map((g) => `${g.index}: ${g.name}`).join(', ');
          } finally {
            c.close();
          }
        },
      });
  }
  return checks;
}

export async function runPreflight(rig: Rig, opts: PreflightOptions = {}): Promise<CheckRow[]> {
  const timeoutMs = opts.timeoutMs ?? 6000;
  const checks = checksOf(rig, timeoutMs).filter((c) => !opts.hardwareOnly || c.hardware);
  return Promise.all(
    checks.map(async (c): Promise<CheckRow> => {
      const started = Date.now();
      try {
        const detail = await withTimeout(c.run(), timeoutMs + 1000, c.check);
        return { component: c.component, check: c.check, result: 'pass', detail, ms: Date.now() - started };
      } catch (err) {
        const result = err instanceof Skip ? 'skip' : 'fail';
        return { component: c.component, check: c.check, result, detail: messageOf(err).replace(/\s*\n\s*/g, ' '), ms: Date.now() - started };
      }
    }),
  );
}

export function preflightPassed(rows: CheckRow[]): boolean {
  return rows.every((r) => r.result !== 'fail');
}

/** The failures as one ComponentError (exit code 3) naming each failed component. */
export function preflightError(rows: CheckRow[]): ComponentError {
  const failed = rows.filter((r) => r.result === 'fail');
  return new ComponentError(
    failed.map((r) => r.component).join(', '),
    `preflight failed:\n${failed.map((r) => `  ${r.component}: ${r.check}: ${r.detail}`).join('\n')}`,
    'PREFLIGHT_FAILED',
  );
}

export function formatPreflight(rows: CheckRow[]): string {
  const head = ['component', 'check', 'result', 'detail'];
  const body = rows.map((r) => [r.component, r.check, r.result.toUpperCase(), r.detail]);
  const widths = head.slice(0, 3).map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w)).concat('------')), ...body.map(line)].join('\n');
}
