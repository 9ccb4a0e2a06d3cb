// Offload trials' criteria (section `offload:` of `acceptance:`): a condition's end-to-end p99
// within a bound (the planner's by default), and every condition run for at least the
// minimum duration and query count (MLPerf LoadGen's rule).
import { fmt, registerCriteria, type Criterion, type TrialReportLike } from './criteria.js';

interface Row {
  condition: string;
  p99Ms: number;
  requests: number;
}

const comparison = (r: TrialReportLike): Row[] => (Array.isArray(r.comparison) ? (r.comparison as Row[]) : []);

const maxP99Ms: Criterion<number> = {
  key: 'maxP99Ms',
  check(r, bound, section) {
    const rows = comparison(r);
    const wanted = typeof section.condition === 'string' ? section.condition : 'planner';
    const row = rows.find((c) => c.condition === wanted) ?? rows[0];
    if (!row) return { passed: false, measured: 'no condition ran', bound: `p99 <= ${fmt(bound)} ms` };
    return { passed: row.p99Ms <= bound, measured: `${fmt(row.p99Ms, 1)} ms (${row.condition}, ${row.requests} requests)`, bound: `p99 <= ${fmt(bound)} ms` };
  },
};

const metMinimums: Criterion<boolean> = {
  key: 'metMinimums',
  check(r) {
    const conds = Array.isArray(r.conditions) ? (r.conditions as { condition: string; ue: string; metMinimums: boolean }[]) : [];
    const short = conds.filter((c) => !c.metMinimums).map((c) => `${c.condition}/${c.ue}`);
    const why = r.shortConditions === true ? ' (run with --short-conditions)' : '';
    return {
      passed: conds.length > 0 && short.length === 0,
      measured: !conds.length ? 'no condition ran' : short.length ? `short${why}: ${short.join(', ')}` : `all ${conds.length} conditions`,
      bound: 'every condition >= its minimum duration and query count',
    };
  },
};

export function registerOffloadCriteria(): void {
  registerCriteria('offload', { section: 'offload', criteria: [maxP99Ms, metMinimums] as Criterion<never>[] });
}
