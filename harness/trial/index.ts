// harness/trial: trial kinds (strategies, in labgrid's terms) run inside a RigSession:
// spectrum sharing (spectrum.ts), offload latency (offload.ts), and both at once (combined).
export { RigSession } from './session.js';
export { spectrumSharing } from './spectrum.js';
export { offloadLatency, type OffloadTrialResult } from './offload.js';
export type { TrialKind, Progress } from './kinds.js';
export { jain, convergedAtEpoch, lastQuarterStart } from './fairness.js';
export { newTrialId, type TrialOptions, type TrialOutcome } from './run.js';
export { runSpectrumTrial } from './run-spectrum.js';
export { runOffloadTrial } from './run-offload.js';
export { runTrial } from './run-trial.js';
