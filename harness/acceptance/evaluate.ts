// Evaluating a finished trial against its criteria, and the exit code that follows.
import { AcceptanceError } from '../errors.js';
import type { Acceptance } from '../rig/schema.js';
import { criteriaFor, type CriterionResult, type TrialReportLike } from './criteria.js';
import { registerSharedCriteria } from './shared.js';
import { registerSpectrumCriteria } from './spectrum.js';

registerSharedCriteria();
registerSpectrumCriteria();

type Section = Record<string, unknown>;

/** Every configured criterion that applies to the report's kind, in rig-file order of sections. */
export function evaluateAcceptance(report: TrialReportLike, acceptance: Acceptance | undefined): CriterionResult[] {
  if (!acceptance) return [];
  const results: CriterionResult[] = [];
  for (const set of criteriaFor(report.kind)) {
    const section = (set.section === null ? acceptance : (acceptance as Record<string, unknown>)[set.section]) as Section | undefined;
    if (!section) continue;
    for (const c of set.criteria) {
      const bound = section[c.key];
      // Absent, or a yes/no criterion switched off: not checked.
      if (bound === undefined || bound === false) continue;
      const name = set.section ? `${set.section}.${c.key}` : c.key;
      results.push({ name, ...c.check(report, bound as never) });
    }
  }
  return results;
}

/** One line per failed criterion: its name, the measured value and the bound. */
export function describeFailure(r: CriterionResult): string {
  return `${r.name}: measured ${r.measured}, bound ${r.bound}`;
}

/** The AcceptanceError for the failed criteria, or null when all passed. */
export function acceptanceError(results: CriterionResult[]): AcceptanceError | null {
  const failed = results.filter((r) => !r.passed);
  if (!failed.length) return null;
  return new AcceptanceError(`acceptance failed (${failed.length} of ${results.length} criteria): ${failed.map(describeFailure).join('; ')}`);
}

/** A suite's overrides laid over the rig's criteria (section by section). */
export function mergeAcceptance(base: Acceptance | undefined, over: Acceptance | undefined): Acceptance | undefined {
  if (!over) return base;
  if (!base) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && b && typeof b === 'object' ? { ...b, ...v } : v;
  }
  return out as Acceptance;
}

/** DESIGN.md: when several apply, the first of 130, 3, 2, 1 wins; 0 only when none applies. */
export function exitPrecedence(codes: number[]): number {
  for (const c of [130, 3, 2, 1]) if (codes.includes(c)) return c;
  const other = codes.find((c) => c !== 0);
  return other ?? 0;
}
