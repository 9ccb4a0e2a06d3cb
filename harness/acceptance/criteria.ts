// A criterion is one check of a finished trial against a bound from the rig file's
// `acceptance:` section. Criteria are registered per trial kind (plus the ones every kind
// shares), so a new kind brings its own set without the evaluator knowing its details.

/** What a criterion reads: the trial's report as saved in report.json (kind-specific fields included). */
export type TrialReportLike = Record<string, unknown> & { kind: string; trialId: string };

export interface CriterionResult {
  /** Stable name, `<kind-key>.<criterion>` or `<criterion>` for shared ones (`spectrum.minFairness`). */
  name: string;
  passed: boolean;
  /** The measured value as a person reads it (`0.8123`, `never`, `3 points spooled`). */
  measured: string;
  /** The bound (`>= 0.99`, `<= epoch 10`, `none`). */
  bound: string;
}

export interface Criterion<B> {
  /** Key inside its section of `acceptance:` (`minFairness`). */
  key: string;
  check(report: TrialReportLike, bound: B): Omit<CriterionResult, 'name'>;
}

export interface CriterionSet {
  /** Key of this kind's section in `acceptance:` (`spectrum`), or null for the shared criteria. */
  section: string | null;
  criteria: Criterion<never>[];
}

const byKind = new Map<string, CriterionSet>();
const shared: CriterionSet[] = [];

/** Register the criteria of one trial kind (its report's `kind`), or shared ones (kind `*`). */
export function registerCriteria(kind: string, set: CriterionSet): void {
  if (kind === '*') shared.push(set);
  else byKind.set(kind, set);
}

export function criteriaFor(kind: string): CriterionSet[] {
  const own = byKind.get(kind);
  return own ? [...shared, own] : [...shared];
}

export const fmt = (x: number, digits = 4): string => (Number.isInteger(x) ? String(x) : x.toFixed(digits));
