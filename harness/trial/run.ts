// Running one trial end to end, whatever its kind: a session is brought up, the kind runs in
// it, teardown always runs, and a report is written (also when the trial stopped early: what
// was measured before is kept). Each kind's runner is in run-<kind>.ts.
import { randomBytes } from 'node:crypto';
import { ConfigError, InterruptedError, RanlabError } from '../errors.js';
import type { TrialReport } from '../report/index.js';
import type { Policy, Rig, TrialKindName } from '../rig/index.js';
import type { Progress } from './kinds.js';
import type { RigSession } from './session.js';

export interface TrialOptions {
  /** Overrides the rig's trial.kind. */
  kind?: TrialKindName;
  policy?: Policy;
  epochs?: number;
  epochMs?: number;
  seed?: number;
  /** Default: <package>/results */
  resultsRoot?: string;
  stateDir?: string;
  say?: (line: string) => void;
  progress?: Progress;
}

export interface TrialOutcome<R extends TrialReport = TrialReport> {
  report: R;
  reportPath: string;
  /** Null when the trial ran to the end. */
  error: RanlabError | Error | null;
  /** Things teardown could not do (e.g. points left spooled). */
  teardownProblems: string[];
}

export const silentProgress: Progress = { start() {}, update() {}, stop() {} };

export function newTrialId(rigName: string): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${rigName}-${t}-${randomBytes(2).toString('hex')}`;
}

/** SIGINT/SIGTERM abort the kind and fail the session (teardown still runs); returns the remover. */
export function onInterrupt(session: RigSession, abort: AbortController): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    abort.abort();
    session.fail(new InterruptedError(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** The rig with the command line's kind applied, checked as the rig file's would be. */
export function withKind(rig: Rig, kind: TrialKindName | undefined): Rig {
  if (!kind || kind === rig.trial.kind) return rig;
  if (kind !== 'spectrum' && !rig.offload) throw new ConfigError(`--kind ${kind}: rig ${rig.name} has no offload section (model, edge, loadgen, policies)`, 'KIND_UNSUPPORTED');
  if (kind !== 'offload' && rig.operators.length < 2) throw new ConfigError(`--kind ${kind}: rig ${rig.name} has one operator; spectrum sharing needs at least 2`, 'KIND_UNSUPPORTED');
  return { ...rig, trial: { ...rig.trial, kind } };
}
