// After a trial: its criteria judged, the results added to report.json, report.html drawn from
// the epochs it ran, its JUnit suite built and the exit code settled (130 > 3 > 2 > 1).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exitCodeOf } from '../errors.js';
import type { Rig } from '../rig/index.js';
import type { Acceptance } from '../rig/schema.js';
import { renderHtml, seriesFromRecords } from '../report/html/index.js';
import type { CriterionResult, TrialReportLike } from './criteria.js';
import { acceptanceError, evaluateAcceptance, exitPrecedence } from './evaluate.js';
import { bringUpCases, criterionCases, type JunitSuite } from './junit.js';

/** What the runner hands back (exitCode where the runner settles it itself). */
export interface FinishedTrial {
  report: object;
  reportPath: string;
  error: Error | null;
  teardownProblems: string[];
  exitCode?: number;
}

export interface Judged {
  results: CriterionResult[];
  /** The AcceptanceError's message when a criterion failed. */
  failure: string | null;
  exitCode: number;
  suite: JunitSuite;
  htmlPath: string;
}

export function finishTrial(rig: Rig, outcome: FinishedTrial, records: readonly unknown[], opts: { suiteName: string; acceptance?: Acceptance; startedAt: Date }): Judged {
  const report = outcome.report as TrialReportLike;
  const results = evaluateAcceptance(report, opts.acceptance ?? rig.acceptance);
  const accErr = acceptanceError(results);
  const runCode = outcome.exitCode ?? (outcome.error ? exitCodeOf(outcome.error) : outcome.teardownProblems.length ? 3 : 0);
  const exitCode = exitPrecedence([runCode, accErr ? accErr.exitCode : 0]);
  if (results.length) {
    // The report lists every criterion beside what the runner saved.
    Object.assign(report, { acceptance: results, ...('exitCode' in report ? { exitCode } : {}) });
    // The report lists every reason the run failed, acceptance among them.
    if (accErr && Array.isArray(report.problems)) (report.problems as string[]).push(accErr.message);
    writeFileSync(outcome.reportPath, JSON.stringify(report, null, 2) + '\n');
  }
  const htmlPath = join(dirname(outcome.reportPath), 'report.html');
  const series = seriesFromRecords(report.kind, rig.operators.map((o) => o.name), records);
  writeFileSync(htmlPath, renderHtml([{ report, series }], `ranlab trial ${report.trialId}`));
  const suite: JunitSuite = {
    name: opts.suiteName,
    timeS: (Date.now() - opts.startedAt.getTime()) / 1000,
    timestamp: opts.startedAt,
    properties: { trial: report.trialId, rig: rig.name, kind: report.kind, policy: String(report.policy ?? ''), exitCode: String(exitCode) },
    cases: [...bringUpCases(rig, opts.suiteName, outcome.error), ...criterionCases(opts.suiteName, results)],
  };
  return { results, failure: accErr?.message ?? null, exitCode, suite, htmlPath };
}
