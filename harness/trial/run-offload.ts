// The offload trial's runner, also for combined runs (run.ts: what every kind's runner shares).
import { join } from 'node:path';
import { ConfigError, InterruptedError, messageOf } from '../errors.js';
import type { UeConditionResult } from '../offload/index.js';
import { buildOffloadReport, buildSpectrumReport, type OffloadReport } from '../report/index.js';
import type { Rig } from '../rig/index.js';
import { packageRoot } from '../paths.js';
import { trialExitCode } from './exitcode.js';
import { offloadLatency, type OffloadTrialResult } from './offload.js';
import { readTokenSupply, type TokenSupply } from './offload-supply.js';
import { checkBeforeStart } from './prestart.js';
import { finishTrial, newTrialId, silentProgress, spectrumRigMeta, watchInterrupts, type TrialOptions, type TrialOutcome } from './run.js';
import { RigSession } from './session.js';
import { spectrumSharing, type SpectrumTrialResult } from './spectrum.js';

export async function runOffloadTrial(rig: Rig, opts: TrialOptions = {}): Promise<TrialOutcome<OffloadReport>> {
  const off = rig.offload;
  if (!off) throw new ConfigError(`rig ${rig.name}: an offload trial needs an offload section`, 'KIND_UNSUPPORTED');
  if (rig.trial.clock === 'virtual')
    throw new ConfigError('the offload trial kind runs in real time only: its inference is real compute on real clocks, which a virtual clock cannot stand for (set trial.clock: real)', 'CLOCK_UNSUPPORTED');
  // Combined: spectrum sharing moves the grants epoch by epoch while the offload conditions
  // run; it stops after the epoch in which the last condition ends.
  const combined = rig.trial.kind === 'combined';
  // Short conditions (tests, smoke runs) replace the minimums the load generator runs to; the
  // report still judges every condition against the rig's (LoadGen's) and says so.
  const short = opts.shortConditions ?? null;
  const loadgen = short ? { ...off.loadgen, ...short } : off.loadgen;
  if (short) opts.say?.(`short conditions: at least ${short.minDurationMs} ms and ${short.minQueries} queries each, below LoadGen's minimums (${off.loadgen.minDurationMs} ms, ${off.loadgen.minQueries}): no condition counts as meeting them`);
  const trialId = newTrialId(rig.name);
  const resultsRoot = opts.resultsRoot ?? join(packageRoot, 'results');
  const resultsDir = join(resultsRoot, trialId);
  checkBeforeStart(rig, { resultsRoot, epochMs: combined ? rig.spectrum.epochMs : rig.trial.kpmPeriodMs });
  const startedAt = new Date();
  const abort = new AbortController();
  // The ledger: spectrum sharing's in a combined run, and the compute market's chain and token
  // whenever the rig has a market (one chain, one token).
  const session = new RigSession(rig, { trialId, resultsDir, stateDir: opts.stateDir, say: opts.say, signal: abort.signal, ledger: combined || off.market !== undefined });
  opts.say?.(`trial ${trialId}: ${rig.trial.kind}, conditions ${off.policies.join(', ')} on rig ${rig.name}`);

  const interrupts = watchInterrupts(session, abort, opts.say);

  const conditions: UeConditionResult[][] = [];
  let result: Partial<OffloadTrialResult> & { conditions: UeConditionResult[][] } = { conditions };
  let error: Error | null = null;
  const sharing = new AbortController();
  const epochs: SpectrumTrialResult['epochs'] = opts.records ?? [];
  const policy = opts.policy ?? rig.trial.policy;
  let supply: TokenSupply | null = null;
  try {
    try {
      await session.race(session.bringUp());
      opts.say?.('bring-up complete: every component reachable');
      const game = combined
        ? spectrumSharing.run(session, { policy, epochs: rig.trial.epochs, epochMs: rig.spectrum.epochMs, kpmPeriodMs: rig.trial.kpmPeriodMs, seed: opts.seed ?? rig.trial.seed ?? 1, records: epochs }, silentProgress, sharing.signal)
        : null;
      game?.catch(() => undefined);
      try {
        result = await offloadLatency.run(session, { offload: { ...off, loadgen: loadgen }, kpmPeriodMs: rig.trial.kpmPeriodMs, conditions, say: opts.say, fixedGrants: !combined }, opts.progress ?? silentProgress, abort.signal);
      } finally {
        sharing.abort();
      }
      await game;
      // After the last spectrum and compute settlement: one supply check over both.
      if (combined || off.market) supply = await session.race(readTokenSupply(session.ledger));
    } catch (err) {
      error = session.failureError ?? (err as Error);
    }
    const teardown = await session.teardown(Date.now() + (opts.teardownMs ?? 10_000));
    if (interrupts.signal && !(error instanceof InterruptedError)) error = new InterruptedError(interrupts.signal);
    const exitCode = trialExitCode(error, teardown);
    const report = buildOffloadReport(result, {
      trialId,
      rig: rig.name,
      trialKind: combined ? 'combined' : 'offload',
      error: error ? messageOf(error) : null,
      policies: off.policies,
      loadgen,
      minimums: { minDurationMs: off.loadgen.minDurationMs, minQueries: off.loadgen.minQueries },
      shortConditions: short !== null,
      qoais: off.qoais,
      influx: { url: session.influxUrl, database: rig.influx.database },
      startedAt,
    });
    if (report.market && supply) report.market.supply = { initialMicro: String(supply.initialMicro), finalMicro: String(supply.finalMicro), conserved: supply.initialMicro === supply.finalMicro };
    if (combined)
      report.spectrum = buildSpectrumReport(supply ? { epochs, initialSupplyMicro: supply.initialMicro, finalSupplyMicro: supply.finalMicro, finalBalancesMicro: supply.finalBalancesMicro } : { epochs }, {
        trialId,
        ...spectrumRigMeta(rig),
        policy,
        epochsRequested: epochs.length,
        epochMs: rig.spectrum.epochMs,
        error: null,
        influx: report.influx,
        startedAt,
      });
    return finishTrial(session, report, { teardown, error, exitCode, interruptedBy: interrupts.signal, resultsDir });
  } finally {
    interrupts.release();
  }
}
