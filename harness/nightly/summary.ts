// What a nightly run hands back: per run its trial, exit code and problems; and the table a
// person reads at the end.

export interface RunSummary {
  name: string;
  rig: string;
  trialId: string | null;
  exitCode: number;
  /** Failed criteria, or why the run could not run. */
  problems: string[];
  htmlPath: string | null;
}

export interface NightlySummary {
  suite: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  runs: RunSummary[];
  junitPath: string;
}

export function formatNightly(s: NightlySummary): string {
  const head = ['run', 'rig', 'trial', 'exit', 'problems'];
  const rows = s.runs.map((r) => [r.name, r.rig, r.trialId ?? '-', String(r.exitCode), r.problems.join('; ') || '-']);
  const widths = head.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 4 ? x.padEnd(widths[i]!) : x)).join('  ');
  const passed = s.runs.filter((r) => r.exitCode === 0).length;
  return [`nightly ${s.suite}: ${passed}/${s.runs.length} runs passed, exit ${s.exitCode}`, '', line(head), ...rows.map(line), '', `JUnit: ${s.junitPath}`].join('\n');
}
