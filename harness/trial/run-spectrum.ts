// The spectrum-sharing trial's runner (run.ts: what every kind's runner shares).
import { join } from 'node:path';
import { ComponentError, InterruptedError, messageOf } from '../errors.js';
import { checkBeforeStart } from './prestart.js';
import { trialExitCode } from './exitcode.js';
import type { TeardownResult } from './teardown.js';
import { buildSpectrumReport, type SpectrumReport } from '../report/index.js';
import type { Rig } from '../rig/index.js';
import { packageRoot } from '../paths.js';
import { withTimeout } from '../proc/index.js';
import { finishTrial, newTrialId, silentProgress, spectrumRigMeta, watchInterrupts, withClock, type TrialOptions, type TrialOutcome } from './run.js';
import { RigSession } from './session.js';
import { readFinalBalances, spectrumSharing, type SpectrumTrialResult } from './spectrum.js';
import { ueMarketReport } from './uemarket.js';

export async function runSpectrumTrial(rigFile: Rig, opts: TrialOptions = {}): Promise<TrialOutcome<SpectrumReport>> {
  // The epoch length is the contract's, fixed at deployment: an --epoch-ms override deploys the
  // embedded contract with it (a lab contract's own length is checked against it).
  const timed = withClock(rigFile, opts.clock);
  const rig = opts.epochMs === undefined ? timed : { ...timed, spectrum: { ...timed.spectrum, epochMs: opts.epochMs } };
  const trialId = newTrialId(rig.name);
  const resultsRoot = opts.resultsRoot ?? join(packageRoot, 'results');
  const resultsDir = join(resultsRoot, trialId);
  const policy = opts.policy ?? rig.trial.policy;
  const epochs = opts.epochs ?? rig.trial.epochs;
  const epochMs = opts.epochMs ?? rig.spectrum.epochMs;
  const seed = opts.seed ?? rig.trial.seed ?? Date.now() % 2 ** 31;
  // Inputs that cannot be used fail here, before anything starts (ConfigError, exit 2).
  checkBeforeStart(rig, { resultsRoot, epochMs });
  const startedAt = new Date();
  const abort = new AbortController();
  const clock = rig.trial.clock;
  const session = new RigSession(rig, { trialId, resultsDir, stateDir: opts.stateDir, say: opts.say, signal: abort.signal, clock });
  opts.say?.(`trial ${trialId}: ${policy} policy, ${epochs} epochs of ${epochMs} ms on rig ${rig.name}${clock === 'virtual' ? ' (virtual time)' : ''}`);

  const interrupts = watchInterrupts(session, abort, opts.say);

  const records: SpectrumTrialResult['epochs'] = opts.records ?? [];
  let result: Partial<SpectrumTrialResult> & { epochs: SpectrumTrialResult['epochs'] } = { epochs: records };
  let error: Error | null = null;
  let teardown: TeardownResult;
  try {
    try {
      await session.race(session.bringUp());
      opts.say?.('bring-up complete: every component reachable');
      result = await spectrumSharing.run(session, { policy, epochs, epochMs, kpmPeriodMs: rig.trial.kpmPeriodMs, seed, records }, opts.progress ?? silentProgress, abort.signal);
    } catch (err) {
      error = session.failureError ?? (err as Error);
      // Stopped early: still report the ledger's state when the ledger itself is fine.
      if (policy === 'ledger' && session.ledger && !(error instanceof ComponentError && error.component === 'ledger')) {
        try {
          const [initialSupplyMicro, final] = await withTimeout(Promise.all([session.ledger.totalSupply(), readFinalBalances(session.ledger)]), interrupts.signal ? 2000 : 5000, 'final ledger read');
          result = { ...result, initialSupplyMicro, ...final };
        } catch {
          // the report then shows the last epoch's balances, and no supply check
        }
      }
      // The UE market's contracts and what was paid before the stop.
      if (session.ueMarket && !(error instanceof ComponentError && error.component === 'ledger')) {
        try {
          const ueMarket = await withTimeout(ueMarketReport(session.ledger, session.ueMarket, session.ues, epochMs), interrupts.signal ? 2000 : 5000, 'UE market read');
          result = { ...result, ueMarket };
        } catch {
          // the report then has no ueMarket section
        }
      }
    }
    teardown = await session.teardown(Date.now() + (opts.teardownMs ?? 10_000));
    if (interrupts.signal && !(error instanceof InterruptedError)) error = new InterruptedError(interrupts.signal);
    const exitCode = trialExitCode(error, teardown);
    const report = buildSpectrumReport(result, {
      trialId,
      ...spectrumRigMeta(rig),
      policy,
      clock,
      epochsRequested: epochs,
      epochMs,
      error: error ? messageOf(error) : null,
      influx: { url: session.influxUrl, database: rig.influx.database },
      startedAt,
    });
    return finishTrial(session, report, { teardown, error, exitCode, interruptedBy: interrupts.signal, resultsDir });
  } finally {
    interrupts.release();
  }
}
