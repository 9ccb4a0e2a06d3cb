// Spectrum sharing's criteria (section `spectrum:` of `acceptance:`): fairness over the last
// quarter, convergence to W/n by an epoch, token supply conserved.
import { fmt, registerCriteria, type Criterion } from './criteria.js';

const minFairness: Criterion<number> = {
  key: 'minFairness',
  check(r, bound) {
    const f = typeof r.fairness === 'number' ? r.fairness : null;
    return { passed: f !== null && f >= bound, measured: f === null ? 'n/a (no epoch ran)' : fmt(f), bound: `>= ${fmt(bound)}` };
  },
};

const convergedByEpoch: Criterion<number> = {
  key: 'convergedByEpoch',
  check(r, bound) {
    const at = typeof r.convergedAtEpoch === 'number' ? r.convergedAtEpoch : null;
    return { passed: at !== null && at <= bound, measured: at === null ? 'never' : `epoch ${at}`, bound: `<= epoch ${bound}` };
  },
};

const supplyConserved: Criterion<boolean> = {
  key: 'supplyConserved',
  check(r) {
    const s = r.supply as { initialMicro?: string; finalMicro?: string; conserved?: boolean } | null | undefined;
    if (!s) return { passed: false, measured: 'no ledger supply in the report', bound: 'final = initial supply' };
    return { passed: s.conserved === true, measured: `${s.finalMicro || '?'} of ${s.initialMicro || '?'} µtokens`, bound: 'final = initial supply' };
  },
};

export function registerSpectrumCriteria(): void {
  registerCriteria('spectrum-sharing', { section: 'spectrum', criteria: [minFairness, convergedByEpoch, supplyConserved] as Criterion<never>[] });
}
