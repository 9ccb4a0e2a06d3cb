export { loadRig, parseRig, RigError, formatPath } from './load.js';
export type { Rig, RigOperator, RigBaseStation, RigCell, RigUe, RigSpectrum, RigTrial, Policy, Strategy, RigOffload, TrialKindName } from './schema.js';
export { rigSchema, agentStartedHere, labOffloadIssues, virtualClockRefusal, LOADGEN_MIN_DURATION_MS, LOADGEN_MIN_QUERIES } from './schema.js';

/** The shared band in token units (180 kHz each by default): W in the contract's terms. */
export function bandUnits(spectrum: { bandMHz: number; tokenUnitKHz: number }): number {
  return Math.floor((spectrum.bandMHz * 1000) / spectrum.tokenUnitKHz + 1e-9);
}
