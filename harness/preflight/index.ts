// `ranlab preflight`: is the rig sound before a trial touches the air? One row per
// component and check. Checks run concurrently, each bounded in time, so a rig with many
// missing parts still answers within seconds. `ranlab trial` runs the hardware checks
// (radios, modems, edge hosts) at bring-up; its influx, ledger and base-station checks
// are the same calls the session makes (checkReachable, E2 setup).
// This file lists a rig's checks and runs them; each kind of check has its own file:
// influx.ts, ledger.ts, agent.ts (RAN agents), gnb.ts (srsRAN gNB binary), usrp.ts, modem.ts,
// edge.ts (with tcp.ts); check.ts is what a check is, rows.ts what its rows say.
import { messageOf } from '../errors.js';
import { withTimeout } from '../proc/index.js';
import type { Rig } from '../rig/index.js';
import { agentCheck } from './agent.js';
import { Skip, type Check, type CheckRow } from './check.js';
import { edgeChecks } from './edge.js';
import { gnbVersionCheck } from './gnb.js';
import { influxCheck } from './influx.js';
import { ledgerCheck } from './ledger.js';
import { modemCheck } from './modem.js';
import { usrpCheck } from './usrp.js';

export type { CheckResult, CheckRow } from './check.js';
export { formatPreflight, preflightError, preflightPassed } from './rows.js';
export { tcpReachable } from './tcp.js';

export interface PreflightOptions {
  /** Per check (default 6 s). */
  timeoutMs?: number;
  /** Only the checks of real hardware (radios, modems, edge hosts). */
  hardwareOnly?: boolean;
}

export function checksOf(rig: Rig, timeoutMs: number): Check[] {
  const checks: (Check | null)[] = [influxCheck(rig, timeoutMs), ledgerCheck(rig, timeoutMs)];
  for (const bs of rig.basestations) checks.push(agentCheck(rig, bs, timeoutMs), gnbVersionCheck(rig, bs, timeoutMs), usrpCheck(rig, bs, timeoutMs));
  for (const ue of rig.ues) checks.push(modemCheck(rig, ue, timeoutMs));
  for (const e of rig.edge) checks.push(...edgeChecks(rig, e, timeoutMs));
  return checks.filter((c): c is Check => c !== null);
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
