// harness/trial: trial kinds (strategies, in labgrid's terms) run inside a RigSession:
// spectrum sharing (spectrum.ts), offload latency (offload.ts), and both at once (combined).
import type { Rig } from '../rig/index.js';
import { runOffloadTrial } from './run-offload.js';
import { runSpectrumTrial } from './run-spectrum.js';
import { withClock, withKind, type TrialOptions, type TrialOutcome } from './run.js';

export { RigSession } from './session.js';
export { spectrumSharing } from './spectrum.js';
export { offloadLatency, type OffloadTrialResult } from './offload.js';
export type { TrialKind, Progress } from './kinds.js';
export { jain, convergedAtEpoch, lastQuarterStart } from './fairness.js';
export { newTrialId, type TrialOptions, type TrialOutcome } from './run.js';
export { runSpectrumTrial } from './run-spectrum.js';
export { runOffloadTrial } from './run-offload.js';

/** Runs the rig's trial kind (or opts.kind). */
export async function runTrial(rig: Rig, opts: TrialOptions = {}): Promise<TrialOutcome> {
  const r = withClock(withKind(rig, opts.kind), opts.clock);
  return r.trial.kind === 'spectrum' ? runSpectrumTrial(r, opts) : runOffloadTrial(r, opts);
}
