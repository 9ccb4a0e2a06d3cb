// One trial's exit code (DESIGN.md): 130 interrupted, then 3 (a component failed or teardown
// could not finish its work: points left unwritten, a cell not confirmed off, a child not
// stopped), then 2 (bad input), then 1 (acceptance), else 0. The report lists every problem.
import { exitCodeOf, InterruptedError } from '../errors.js';
import type { TeardownResult } from './teardown.js';

const PRECEDENCE = [130, 3, 2, 1];

export function trialExitCode(error: Error | null, teardown: Pick<TeardownResult, 'problems'>): number {
  const codes = new Set<number>();
  if (error) codes.add(error instanceof InterruptedError ? 130 : exitCodeOf(error));
  if (teardown.problems.length > 0) codes.add(3);
  for (const c of PRECEDENCE) if (codes.has(c)) return c;
  return codes.size ? [...codes][0]! : 0;
}
