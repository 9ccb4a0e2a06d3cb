// The spectrum-sharing trial's runner (see run.ts for what every kind's runner does).
import { join } from 'node:path';
import { ComponentError, messageOf } from '../errors.js';
import { buildSpectrumReport, writeReport, type SpectrumReport } from '../report/index.js';
import { bandUnits, type Rig } from '../rig/index.js';
import { packageRoot } from '../paths.js';
import { withTimeout } from '../proc/index.js';
import { newTrialId, onInterrupt, silentProgress, type TrialOptions, type TrialOutcome } from './run.js';
import { RigSession } from './session.js';
import { readFinalBalances, spectrumSharing, type SpectrumTrialResult } from './spectrum.js';

export async function runSpectrumTrial(rigFile: Rig, opts: TrialOptions = {}): Promise<TrialOutcome<SpectrumReport>> {
  // The epoch length is the contract's, fixed at deployment: an --epoch-ms override deploys the
  // embedded contract with it (a lab contract's own length is checked against it).
  const rig = opts.epochMs === undefined ? rigFile : { ...rigFile, spectrum: { ...rigFile.spectrum, epochMs: opts.epochMs } };
  const trialId = newTrialId(rig.name);
  const resultsDir = join(opts.resultsRoot ?? join(packageRoot, 'results'), trialId);
  const policy = opts.policy ?? rig.trial.policy;
  const epochs = opts.epochs ?? rig.trial.epochs;
  const epochMs = opts.epochMs ?? rig.spectrum.epochMs;
  const seed = opts.seed ?? rig.trial.seed ?? Date.now() % 2 ** 31;
  const startedAt = new Date();
  const session = new RigSession(rig, { trialId, resultsDir, stateDir: opts.stateDir, say: opts.say });
  opts.say?.(`trial ${trialId}: ${policy} policy, ${epochs} epochs of ${epochMs} ms on rig ${rig.name}`);

  const abort = new AbortController();
  const offInterrupt = onInterrupt(session, abort);

  const records: SpectrumTrialResult['epochs'] = [];
  let result: Partial<SpectrumTrialResult> & { epochs: SpectrumTrialResult['epochs'] } = { epochs: records };
  let error: Error | null = null;
  try {
    await session.race(session.bringUp());
    opts.say?.('bring-up complete: every component reachable');
    result = await spectrumSharing.run(session, { policy, epochs, epochMs, kpmPeriodMs: rig.trial.kpmPeriodMs, seed, records }, opts.progress ?? silentProgress, abort.signal);
  } catch (err) {
    error = session.failureError ?? (err as Error);
    // Stopped early: still report the ledger's state when the ledger itself is fine.
    if (policy === 'ledger' && session.ledger && !(error instanceof ComponentError && error.component === 'ledger')) {
      try {
        const [initialSupplyMicro, final] = await withTimeout(Promise.all([session.ledger.totalSupply(), readFinalBalances(session.ledger)]), 5000, 'final ledger read');
        result = { ...result, initialSupplyMicro, ...final };
      } catch {
        // the report then shows the last epoch's balances, and no supply check
      }
    }
  } finally {
    offInterrupt();
  }
  const teardownProblems = await session.teardown();
  const report = buildSpectrumReport(result, {
    trialId,
    rig: rig.name,
    policy,
    epochsRequested: epochs,
    epochMs,
    bandMHz: rig.spectrum.bandMHz,
    bandUnits: bandUnits(rig.spectrum),
    unitMHz: rig.spectrum.tokenUnitKHz / 1000,
    operators: rig.operators.map((o) => o.name),
    error: error ? messageOf(error) : null,
    influx: { url: session.influxUrl, database: rig.influx.database },
    startedAt,
  });
  const reportPath = writeReport(resultsDir, report);
  return { report, reportPath, error, teardownProblems };
}
