// Runs the rig's trial kind: each kind's runner is loaded when chosen, so a spectrum trial
// does not load the offload machinery (ONNX Runtime, edge clients) before its bring-up.
import type { Rig } from '../rig/index.js';
import { withClock, withKind, type TrialOptions, type TrialOutcome } from './run.js';

/** Runs the rig's trial kind (or opts.kind). */
export async function runTrial(rig: Rig, opts: TrialOptions = {}): Promise<TrialOutcome> {
  const r = withClock(withKind(rig, opts.kind), opts.clock);
  if (r.trial.kind === 'spectrum') return (await import('./run-spectrum.js')).runSpectrumTrial(r, opts);
  return (await import('./run-offload.js')).runOffloadTrial(r, opts);
}
