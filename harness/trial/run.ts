// What every trial kind's runner shares: options, the outcome, trial ids. A runner brings a
// session up, runs its kind in it, tears down within one deadline whatever happened, and
// writes a report (also when the trial stopped early: what was measured before is kept).
import { randomBytes } from 'node:crypto';
import { ConfigError, InterruptedError, messageOf, RanlabError } from '../errors.js';
import type { TrialEnd } from '../report/common.js';
import { writeReport, type TrialReport } from '../report/index.js';
import { bandUnits, labOffloadIssues, virtualClockRefusal, type Policy, type Rig, type TrialKindName } from '../rig/index.js';
import type { ClockKind } from '../measure/index.js';
import type { Progress } from './kinds.js';
import type { SpectrumTrialResult } from './spectrum.js';
import type { RigSession } from './session.js';
import type { TeardownResult } from './teardown.js';

export interface TrialOptions {
  /** Overrides the rig's trial.kind. */
  kind?: TrialKindName;
  policy?: Policy;
  epochs?: number;
  epochMs?: number;
  seed?: number;
  /** Overrides the rig's trial.clock: real (default) or virtual (twin spectrum trials only). */
  clock?: ClockKind;
  /** Default: <package>/results */
  resultsRoot?: string;
  stateDir?: string;
  say?: (line: string) => void;
  progress?: Progress;
  /** Completed epochs are appended here too (the HTML report draws them). */
  records?: SpectrumTrialResult['epochs'];
  /** Teardown's one deadline, ms from its start (default 10 s); a second SIGINT cuts it to 2 s. */
  teardownMs?: number;
  /**
   * Offload kinds, for tests and smoke runs only: each condition's minimums, below LoadGen's
   * (which the rig cannot lower). The report marks every condition as not meeting them.
   */
  shortConditions?: { minDurationMs: number; minQueries: number };
}

export interface TrialOutcome<R extends TrialReport = TrialReport> {
  report: R;
  reportPath: string;
  /** Null when the trial ran to the end. */
  error: RanlabError | Error | null;
  /** Things teardown could not do (e.g. points left spooled). */
  teardownProblems: string[];
  teardown: TeardownResult;
  /** 130 interrupted, then 3 (a component or teardown), then 2, then 1, else 0. */
  exitCode: number;
}

export const silentProgress: Progress = { start() {}, update() {}, stop() {} };

export function newTrialId(rigName: string): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `${rigName}-${t}-${randomBytes(2).toString('hex')}`;
}

/** The rig with the command line's kind applied, checked as the rig file's would be. */
/**
 * The rig with the command line's clock applied: virtual time only for spectrum trials on
 * twin rigs whose base stations are all twin agents (ConfigError otherwise, exit 2).
 */
export function withClock(rig: Rig, clock: ClockKind | undefined): Rig {
  if (!clock || clock === rig.trial.clock) return rig;
  if (clock === 'virtual') {
    if (rig.trial.kind !== 'spectrum')
      throw new ConfigError(`--clock virtual: the ${rig.trial.kind} trial kind runs in real time only: its inference is real compute on real clocks, which a virtual clock cannot stand for`, 'CLOCK_UNSUPPORTED');
    const why = virtualClockRefusal(rig);
    if (why) throw new ConfigError(`--clock virtual: ${why}`, 'CLOCK_UNSUPPORTED');
  }
  return { ...rig, trial: { ...rig.trial, clock } };
}

export function withKind(rig: Rig, kind: TrialKindName | undefined): Rig {
  if (!kind || kind === rig.trial.kind) return rig;
  if (kind !== 'spectrum' && !rig.offload) throw new ConfigError(`--kind ${kind}: rig ${rig.name} has no offload section (model, edge, loadgen, policies)`, 'KIND_UNSUPPORTED');
  if (kind !== 'offload' && rig.operators.length < 2) throw new ConfigError(`--kind ${kind}: rig ${rig.name} has one operator; spectrum sharing needs at least 2`, 'KIND_UNSUPPORTED');
  // A lab UE's tensors cross its modem's data session: every offloading UE must be a modem.
  const lab = kind !== 'spectrum' && rig.mode === 'lab' ? labOffloadIssues(rig)[0] : undefined;
  if (lab) throw new ConfigError(`--kind ${kind}: rig ${rig.name}: ${lab.path.join('.')}: ${lab.message}`, 'KIND_UNSUPPORTED');
  return { ...rig, trial: { ...rig.trial, kind } };
}

/** How a trial ended, for its report (every kind's): exit code, problems, teardown, KPM counts. */
export function trialEnd(session: RigSession, teardown: TeardownResult, error: Error | null, exitCode: number, interruptedBy: string | null): Required<TrialEnd> & { completedTeardown: boolean } {
  return {
    completedTeardown: teardown.problems.length === 0,
    exitCode,
    problems: [...(error ? [messageOf(error)] : []), ...teardown.problems],
    teardownProblems: teardown.problems,
    cellsNotConfirmedOff: teardown.cellsNotConfirmedOff,
    spooledPoints: teardown.spooledPoints,
    lostPoints: teardown.lostPoints,
    spoolDir: teardown.spoolDir,
    teardownMs: teardown.durationMs,
    interruptedBy,
    indications: Object.fromEntries([...session.basestations].map(([id, b]) => [id, { ...b.driver.stats }])),
  };
}

/**
 * SIGINT, SIGTERM and SIGHUP while a trial runs: the first stops the trial (teardown still runs
 * and the report is written, exit 130); a later one only brings teardown's deadline nearer.
 * The handlers stay until release(), after the report is written.
 */
export function watchInterrupts(session: RigSession, abort: AbortController, say?: (line: string) => void): { readonly signal: NodeJS.Signals | null; release(): void } {
  let signal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal) {
      say?.(`${sig} again: cutting teardown short (2 s)`);
      void session.teardown(Date.now() + 2000);
      return;
    }
    signal = sig;
    abort.abort();
    session.fail(new InterruptedError(sig));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  return {
    get signal() {
      return signal;
    },
    release: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}

/**
 * A runner's last step, whatever the kind: the report gets how the trial ended (teardown,
 * exit code, KPM counts), is written to the results folder, and becomes the outcome.
 */
export function finishTrial<R extends TrialReport>(
  session: RigSession,
  report: R,
  end: { teardown: TeardownResult; error: Error | null; exitCode: number; interruptedBy: string | null; resultsDir: string },
): TrialOutcome<R> {
  const { completedTeardown, ...ended } = trialEnd(session, end.teardown, end.error, end.exitCode, end.interruptedBy);
  Object.assign(report, { completed: report.completed && completedTeardown, ...ended });
  const reportPath = writeReport(end.resultsDir, report);
  return { report, reportPath, error: end.error, teardownProblems: end.teardown.problems, teardown: end.teardown, exitCode: end.exitCode };
}

/** The spectrum report's figures that come from the rig itself (band, token unit, operators). */
export function spectrumRigMeta(rig: Rig): { rig: string; bandMHz: number; bandUnits: number; unitMHz: number; operators: string[] } {
  return { rig: rig.name, bandMHz: rig.spectrum.bandMHz, bandUnits: bandUnits(rig.spectrum), unitMHz: rig.spectrum.tokenUnitKHz / 1000, operators: rig.operators.map((o) => o.name) };
}
