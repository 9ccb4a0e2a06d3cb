// The RAN agent with the srsran-project backend in managed mode, driving the stand-in gNB
// (`ranlab srsgnb-standin`, written from facts/RAN.md) over real processes, mutual TLS and the
// remote-control WebSocket: start, KPM from the stand-in's metrics frames, retune by restart,
// a quota confirmed from metrics (and refused when the gNB ignores it), the lease.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTrialCerts, readTlsFiles, type TlsPems, type TrialCerts } from '../harness/certs/index.js';
import { cliEntry, packageRoot } from '../harness/paths.js';
import { freePort, pidAlive } from '../harness/proc/index.js';
import { gnbVersionOfAgent } from '../harness/preflight/gnb.js';
import { createBaseStation, type BaseStation, type KpmIndication } from '../harness/ran/index.js';
import type { RigBaseStation } from '../harness/rig/index.js';

/** The rig entry preflight compares an agent's report with: managed, srsRAN Project 25.10. */
const bsOfRig = (id: string) => ({ id, agent: { mode: 'managed', version: '25.10', gnb: { binary: 'gnb', args: [] } } }) as unknown as RigBaseStation;

let tmp: string;
let certs: TrialCerts;
let ctl: TlsPems;
const children = new Set<ChildProcess>();
const drivers: BaseStation[] = [];

beforeAll(async () => {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: build first`);
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-srsran-'));
  certs = await makeTrialCerts(join(tmp, 'certs'), ['gnb-s', 'gnb-q', 'gnb-l', 'gnb-v', 'gnb-u']);
  ctl = readTlsFiles(certs.controller, 'controller');
});

afterAll(() => {
  for (const d of drivers) d.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

const until = async <T>(f: () => T | undefined | null | false, ms: number, what: string): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** One agent (and its stand-in gNB, through the agent) for node `id`; resolves with its address and output. */
async function agent(id: string, extra: { ignoreQuota?: boolean; leaseMs?: number; gnbArgs?: string[]; dlDemandKbps?: number } = {}) {
  const dir = join(tmp, id);
  const rc = await freePort();
  const twin = { airDir: join(tmp, `air-${id}`), cellId: `${id}-c1`, operator: 'op-a', txPowerDbm: 30, ues: [{ id: `${id}-ue1`, pathLossDb: 95, interferenceLossDb: 100, ...(extra.dlDemandKbps ? { dlDemandKbps: extra.dlDemandKbps } : {}) }], ...(extra.ignoreQuota ? { ignoreQuota: true } : {}) };
  writeFileSync(join(tmp, `${id}-twin.json`), JSON.stringify(twin));
  const cfg = {
    nodeId: id,
    operator: 'op-a',
    listen: '127.0.0.1:0',
    tls: certs.agents.get(id)!,
    leaseMs: extra.leaseMs ?? 5000,
    mode: 'managed',
    version: '25.10',
    gnb: { binary: process.execPath, args: [cliEntry, 'srsgnb-standin', ...(extra.gnbArgs ?? [])], extraArgs: ['--twin', join(tmp, `${id}-twin.json`)], workDir: dir, readyTimeoutMs: 15000 },
    remoteControl: { address: `127.0.0.1:${rc}` },
    duReportPeriodMs: 200,
    plmn: '00101',
    slice: { sst: 1, sd: 1 },
    core: { noCore: true },
    radio: { deviceDriver: 'zmq', deviceArgs: 'tx_port=tcp://127.0.0.1:2000,rx_port=tcp://127.0.0.1:2001', srateMHz: 23.04 },
    cell: { id: `${id}-c1`, band: 'n78', carrierMHz: 3610.02, bandwidthMHz: 20, scsKHz: 30, pci: 1 },
    quotaConfirm: { timeoutMs: 2500, slackPrb: 1 },
  };
  const file = join(tmp, `${id}.yaml`);
  writeFileSync(file, JSON.stringify(cfg));
  // stdin ignored: no lifeline, like an agent on its own host; only the lease protects the radio.
  const child = spawn(process.execPath, [cliEntry, 'ran-agent', '--backend', 'srsran-project', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RANLAB_LOG_LEVEL: 'info' } });
  children.add(child);
  const out = { text: '' };
  child.stdout!.on('data', (d) => (out.text += String(d)));
  child.stderr!.on('data', (d) => (out.text += String(d)));
  const m = await until(() => /listening on (\S+:\d+)/.exec(out.text), 15000, `agent ${id}`);
  return { child, address: m[1]!, out, dir };
}

describe('srsran-project backend, managed, against the stand-in gNB', () => {
  it('starts the gNB, streams KPM from its metrics frames, retunes by restart, confirms a quota', async () => {
    const a = await agent('gnb-s');
    const bs = createBaseStation('gnb-s', a.address, { tls: ctl });
    drivers.push(bs);
    const setup = await bs.setup();
    expect(gnbVersionOfAgent(bsOfRig('gnb-s'), setup)).toMatch(/^agent gnb-s: \S+ reports srsRAN 5G gNB version 25\.10\.0 \(.*\), the rig's 25\.10$/);
    expect(setup.cells[0]).toMatchObject({ id: 'gnb-s-c1', grants: 'carrier-and-ratio', prbTotal: 51, on: false });
    await bs.control({ kind: 'cellState', cellId: 'gnb-s-c1', on: true });
    const yaml = readFileSync(join(a.dir, 'gnb.yaml'), 'utf8');
    expect(yaml).toMatch(/dl_arfcn: 640668/);
    expect(yaml).toMatch(/no_core: true/);
    const got: KpmIndication[] = [];
    bs.subscribe(200, (i) => got.push(i), (e) => got.push({ error: e } as unknown as KpmIndication));
    const loaded = await until(() => got.find((i) => i.thpDlKbps > 0 && i.prbUsedDl !== undefined), 5000, 'KPM with traffic');
    expect(loaded.prbUsedDl).toBe(51);
    expect(loaded.ues[0]!.ueId).toMatch(/^rnti-\d+$/);
    expect(loaded.ues[0]!.rsrpDbm).toBeUndefined();
    expect(loaded.ues[0]!.sinrUlDb).toBeDefined();
    // Retune: a narrower carrier, by restart; acknowledged once the cell is up again.
    const t0 = Date.now();
    await bs.control({ kind: 'carrier', cellId: 'gnb-s-c1', carrierMHz: 3605.01, bandwidthMHz: 10 });
    const retuneMs = Date.now() - t0;
    expect(readFileSync(join(a.dir, 'gnb.yaml'), 'utf8')).toMatch(/channel_bandwidth_MHz: 10/);
    expect((await bs.setup()).cells[0]).toMatchObject({ prbTotal: 24, on: true, bandwidthMHz: 10 });
    // A ratio quota, confirmed from the scheduler's metrics.
    await bs.control({ kind: 'prbRatio', cellId: 'gnb-s-c1', maxRatioPct: 50, nPrb: 12 });
    const n = got.length;
    const after = await until(() => got.slice(n).find((i) => i.prbUsedDl !== undefined && i.thpDlKbps > 0), 3000, 'KPM after the quota');
    expect(after.prbUsedDl).toBe(12);
    expect(retuneMs).toBeLessThan(10_000);
    // Off: `quit`, then the process is gone.
    await bs.control({ kind: 'cellState', cellId: 'gnb-s-c1', on: false });
    expect(readFileSync(join(a.dir, 'gnb.log'), 'utf8')).toMatch(/==== gNB started ===/);
    a.child.kill('SIGTERM');
  }, 40_000);

  it('a gNB that ignores the quota gets no acknowledgement, and the error names the cell', async () => {
    const a = await agent('gnb-q', { ignoreQuota: true });
    const bs = createBaseStation('gnb-q', a.address, { tls: ctl });
    drivers.push(bs);
    await bs.setup();
    await bs.control({ kind: 'cellState', cellId: 'gnb-q-c1', on: true });
    await expect(bs.control({ kind: 'prbRatio', cellId: 'gnb-q-c1', maxRatioPct: 40, nPrb: 20 })).rejects.toThrow(
      /gnb-q: control PRB ratio 40 % on cell gnb-q-c1 failed at the node: RADIO_FAILURE: PRB ratio 40 % not confirmed on cell gnb-q-c1 .*used 51 PRBs while its UEs were backlogged, above the 20 PRBs/,
    );
    a.child.kill('SIGTERM');
  }, 30_000);

  it('a cell whose UEs never saturate gets no acknowledgement of a quota, and the error says which cell and why', async () => {
    // 500 kbit/s offered: a few PRBs carry it, the UE's buffer empties every report.
    const a = await agent('gnb-u', { dlDemandKbps: 500 });
    const bs = createBaseStation('gnb-u', a.address, { tls: ctl });
    drivers.push(bs);
    await bs.setup();
    await bs.control({ kind: 'cellState', cellId: 'gnb-u-c1', on: true });
    const got: KpmIndication[] = [];
    bs.subscribe(200, (i) => got.push(i), () => undefined);
    const light = await until(() => got.find((i) => i.thpDlKbps > 0 && i.prbUsedDl !== undefined), 5000, 'KPM with traffic');
    expect(light.thpDlKbps).toBeCloseTo(500, 0);
    expect(light.prbUsedDl).toBeLessThan(25);
    // Its PRB use is under 50 % all along: without saturation that proves nothing.
    await expect(bs.control({ kind: 'prbRatio', cellId: 'gnb-u-c1', maxRatioPct: 50, nPrb: 25 })).rejects.toThrow(
      /gnb-u: control PRB ratio 50 % on cell gnb-u-c1 failed at the node: RADIO_FAILURE: PRB ratio 50 % not confirmed on cell gnb-u-c1 within 2500 ms: no saturating traffic: .*dl_bs 0/,
    );
    a.child.kill('SIGTERM');
  }, 30_000);

  it('a gNB binary of another release: the agent reports it in E2 Setup (preflight fails on it) and never starts it', async () => {
    const a = await agent('gnb-v', { gnbArgs: ['--report-version', '25.04.0'] });
    const bs = createBaseStation('gnb-v', a.address, { tls: ctl });
    drivers.push(bs);
    const setup = await bs.setup();
    expect(setup.baseStationVersion).toMatch(/^25\.04\.0 /);
    expect(setup.baseStation).toMatch(/reports version 25\.04\.0 .*, but this agent is configured for srsRAN Project 25\.10/);
    expect(() => gnbVersionOfAgent(bsOfRig('gnb-v'), setup)).toThrow(/^agent gnb-v: gNB binary \S+ reports version 25\.04\.0 \(.*\); the rig expects srsRAN Project 25\.10/);
    await expect(bs.control({ kind: 'cellState', cellId: 'gnb-v-c1', on: true })).rejects.toThrow(/cell on: gNB binary .* reports version 25\.04\.0/);
    expect(existsSync(join(a.dir, 'gnb.log'))).toBe(false);
    a.child.kill('SIGTERM');
  }, 30_000);

  it('SIGKILL of the controller: the agent stops its gNB within the lease', async () => {
    const a = await agent('gnb-l', { leaseMs: 1500 });
    // The controller: its own process, renewing the lease every 300 ms, then killed.
    const script = `
      import { createBaseStation } from ${JSON.stringify(join(packageRoot, 'dist/harness/ran/index.js'))};
      import { readTlsFiles } from ${JSON.stringify(join(packageRoot, 'dist/harness/certs/index.js'))};
      const bs = createBaseStation('gnb-l', ${JSON.stringify(a.address)}, { tls: readTlsFiles(${JSON.stringify(certs.controller)}, 'controller'), leaseRenewMs: 300 });
      await bs.setup();
      await bs.control({ kind: 'cellState', cellId: 'gnb-l-c1', on: true });
      process.stdout.write('ON\\n');
      setInterval(() => {}, 1000);`;
    writeFileSync(join(tmp, 'ctl.mjs'), script);
    const c = spawn(process.execPath, [join(tmp, 'ctl.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(c);
    let said = '';
    c.stdout!.on('data', (d) => (said += String(d)));
    await until(() => said.includes('ON'), 15000, 'the controller to turn the cell on');
    const gnbPid = await until(() => findGnbPid(a.child.pid!), 5000, 'the gNB pid');
    await new Promise((r) => setTimeout(r, 2000)); // renewals keep it alive past one lease
    expect(pidAlive(gnbPid)).toBe(true);
    const killedAt = Date.now();
    c.kill('SIGKILL');
    await until(() => !pidAlive(gnbPid), 1500 + 5000, 'the gNB to stop');
    const took = Date.now() - killedAt;
    console.log(`gNB stopped ${took} ms after the controller's SIGKILL (lease 1500 ms)`);
    expect(took).toBeLessThan(1500 + 4000); // the lease, plus quit and the process's exit
    expect(a.out.text).toMatch(/lease lapsed/);
    a.child.kill('SIGTERM');
  }, 40_000);
});

/** The agent's child (the stand-in gNB), found through the agent's own pid. */
function findGnbPid(agentPid: number): number | null {
  try {
    const kids = readFileSync(`/proc/${agentPid}/task/${agentPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : null;
  } catch {
    return null;
  }
}
