// Criteria every trial kind shares: it ran to the end, every point reached InfluxDB, every
// cell was confirmed off at teardown. They read the teardown figures the runner saves in the
// report (spooledPoints, lostPoints, cellsNotConfirmedOff) and fall back to its problem lines.
import { registerCriteria, type Criterion, type TrialReportLike } from './criteria.js';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

const completed: Criterion<boolean> = {
  key: 'completed',
  check(r) {
    const ran = num(r.epochs) ?? 0;
    const asked = num(r.epochsRequested) ?? ran;
    const error = typeof r.error === 'string' ? r.error : null;
    const passed = error === null && ran >= asked;
    return { passed, measured: error ? `${ran}/${asked} epochs, stopped: ${error}` : `${ran}/${asked} epochs`, bound: 'every epoch, no component failed' };
  },
};

const allPointsWritten: Criterion<boolean> = {
  key: 'allPointsWritten',
  check(r) {
    const spooled = num(r.spooledPoints);
    const lost = num(r.lostPoints);
    if (spooled !== undefined || lost !== undefined) {
      const passed = (spooled ?? 0) === 0 && (lost ?? 0) === 0;
      return { passed, measured: `${spooled ?? 0} points spooled, ${lost ?? 0} lost`, bound: 'none spooled or lost' };
    }
    const problems = strings(r.teardownProblems).filter((p) => /^influx|spool/i.test(p));
    return { passed: problems.length === 0, measured: problems.length ? problems.join('; ') : 'all written', bound: 'none spooled or lost' };
  },
};

const cellsOffAtTeardown: Criterion<boolean> = {
  key: 'cellsOffAtTeardown',
  check(r) {
    const notOff = Array.isArray(r.cellsNotConfirmedOff)
      ? strings(r.cellsNotConfirmedOff)
      : strings(r.teardownProblems).filter((p) => /cells? (may still be|not confirmed) (on|off)/i.test(p));
    return { passed: notOff.length === 0, measured: notOff.length ? `not confirmed off: ${notOff.join(', ')}` : 'all confirmed off', bound: 'every cell off' };
  },
};

export function registerSharedCriteria(): void {
  registerCriteria('*', { section: null, criteria: [completed, allPointsWritten, cellsOffAtTeardown] as Criterion<never>[] });
}

export type { TrialReportLike };
