// The offload trial's runner (see run.ts for what every kind's runner does).
import { join } from 'node:path';
import { ConfigError, messageOf } from '../errors.js';
import type { UeConditionResult } from '../offload/index.js';
import { buildOffloadReport, writeReport, type OffloadReport } from '../report/index.js';
import type { Rig } from '../rig/index.js';
import { packageRoot } from '../paths.js';
import { offloadLatency, type OffloadTrialResult } from './offload.js';
import { newTrialId, onInterrupt, silentProgress, type TrialOptions, type TrialOutcome } from './run.js';
import { RigSession } from './session.js';

export async function runOffloadTrial(rig: Rig, opts: TrialOptions = {}): Promise<TrialOutcome<OffloadReport>> {
  const off = rig.offload;
  if (!off) throw new ConfigError(`rig ${rig.name}: an offload trial needs an offload section`, 'KIND_UNSUPPORTED');
  if (rig.trial.clock === 'virtual')
    throw new ConfigError('the offload trial kind runs in real time only: its inference is real compute on real clocks, which a virtual clock cannot stand for (set trial.clock: real)', 'CLOCK_UNSUPPORTED');
  const trialId = newTrialId(rig.name);
  const resultsDir = join(opts.resultsRoot ?? join(packageRoot, 'results'), trialId);
  const startedAt = new Date();
  const session = new RigSession(rig, { trialId, resultsDir, stateDir: opts.stateDir, say: opts.say, ledger: rig.trial.kind === 'combined' });
  opts.say?.(`trial ${trialId}: offload, conditions ${off.policies.join(', ')} on rig ${rig.name}`);
  const abort = new AbortController();
  const offInterrupt = onInterrupt(session, abort);
  const conditions: UeConditionResult[][] = [];
  let result: Partial<OffloadTrialResult> & { conditions: UeConditionResult[][] } = { conditions };
  let error: Error | null = null;
  try {
    await session.race(session.bringUp());
    opts.say?.('bring-up complete: every component reachable');
    result = await offloadLatency.run(session, { offload: off, kpmPeriodMs: rig.trial.kpmPeriodMs, conditions, say: opts.say }, opts.progress ?? silentProgress, abort.signal);
  } catch (err) {
    error = session.failureError ?? (err as Error);
  } finally {
    offInterrupt();
  }
  const teardownProblems = await session.teardown();
  const report = buildOffloadReport(result, {
    trialId,
    rig: rig.name,
    error: error ? messageOf(error) : null,
    policies: off.policies,
    loadgen: off.loadgen,
    qoais: off.qoais,
    influx: { url: session.influxUrl, database: rig.influx.database },
    startedAt,
  });
  const reportPath = writeReport(resultsDir, report);
  return { report, reportPath, error, teardownProblems };
}
