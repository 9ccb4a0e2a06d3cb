// `ranlab trial` after the run: acceptance criteria judged (exit 1 naming each failed one with
// its measured value and bound), report.html written, and the JUnit file with --junit.
import { buildJunit, finishTrial, type FinishedTrial } from '../acceptance/index.js';
import type { Rig } from '../rig/index.js';
import type { EpochRecord } from '../trial/spectrum.js';

export function afterTrial(rig: Rig, outcome: FinishedTrial, records: EpochRecord[], o: { junit?: string; startedAt: Date; say: (line: string) => void }): number {
  const judged = finishTrial(rig, outcome, records, { suiteName: `${rig.name}.trial`, startedAt: o.startedAt });
  for (const r of judged.results) o.say(`acceptance ${r.passed ? 'pass' : 'FAIL'}: ${r.name}: measured ${r.measured}, bound ${r.bound}`);
  if (judged.failure) o.say(judged.failure);
  o.say(`HTML report written to ${judged.htmlPath}`);
  if (o.junit) {
    buildJunit([judged.suite], o.junit);
    o.say(`JUnit written to ${o.junit}`);
  }
  return judged.exitCode;
}
