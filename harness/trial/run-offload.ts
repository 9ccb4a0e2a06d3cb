// The offload trial's runner (see run.ts for what every kind's runner does).
import { join } from 'node:path';
import { ConfigError, messageOf } from '../errors.js';
import type { UeConditionResult } from '../offload/index.js';
import { buildOffloadReport, buildSpectrumReport, writeReport, type OffloadReport } from '../report/index.js';
import { bandUnits, type Rig } from '../rig/index.js';
import { packageRoot } from '../paths.js';
import { offloadLatency, type OffloadTrialResult } from './offload.js';
import { newTrialId, onInterrupt, silentProgress, type TrialOptions, type TrialOutcome } from './run.js';
import { RigSession } from './session.js';
import { spectrumSharing, type SpectrumTrialResult } from './spectrum.js';

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
  // Combined: spectrum sharing moves the grants epoch by epoch while the offload conditions
  // run; it stops after the epoch in which the last condition ends.
  const combined = rig.trial.kind === 'combined';
  const sharing = new AbortController();
  const epochs: SpectrumTrialResult['epochs'] = [];
  const policy = opts.policy ?? rig.trial.policy;
  try {
    await session.race(session.bringUp());
    opts.say?.('bring-up complete: every component reachable');
    const game = combined
      ? spectrumSharing.run(session, { policy, epochs: rig.trial.epochs, epochMs: rig.spectrum.epochMs, kpmPeriodMs: rig.trial.kpmPeriodMs, seed: opts.seed ?? rig.trial.seed ?? 1, records: epochs }, silentProgress, sharing.signal)
      : null;
    game?.catch(() => undefined);
    try {
      result = await offloadLatency.run(session, { offload: off, kpmPeriodMs: rig.trial.kpmPeriodMs, conditions, say: opts.say, fixedGrants: !combined }, opts.progress ?? silentProgress, abort.signal);
    } finally {
      sharing.abort();
    }
    await game;
  } catch (err) {
    error = session.failureError ?? (err as Error);
  } finally {
    offInterrupt();
  }
  const teardownProblems = await session.teardown();
  const report = buildOffloadReport(result, {
    trialId,
    rig: rig.name,
    trialKind: combined ? 'combined' : 'offload',
    error: error ? messageOf(error) : null,
    policies: off.policies,
    loadgen: off.loadgen,
    qoais: off.qoais,
    influx: { url: session.influxUrl, database: rig.influx.database },
    startedAt,
  });
  if (combined)
    report.spectrum = buildSpectrumReport({ epochs }, {
      trialId,
      rig: rig.name,
      policy,
      epochsRequested: epochs.length,
      epochMs: rig.spectrum.epochMs,
      bandMHz: rig.spectrum.bandMHz,
      bandUnits: bandUnits(rig.spectrum),
      unitMHz: rig.spectrum.tokenUnitKHz / 1000,
      operators: rig.operators.map((o) => o.name),
      error: null,
      influx: report.influx,
      startedAt,
    });
  const reportPath = writeReport(resultsDir, report);
  return { report, reportPath, error, teardownProblems };
}
