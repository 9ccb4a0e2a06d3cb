// Exact nearest-rank percentiles over all samples (no histogram, no interpolation): the
// p-th percentile is the smallest sample such that at least p % of the samples are <= it,
// i.e. sorted[ceil(p/100 * n) - 1].

export function nearestRank(samples: readonly number[], p: number): number {
  if (!samples.length) return NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const sorted = [...samples].sort((a, b) => a - b);
  // p * n / 100 in this order (0.999 * 1000 is 999.0000000000001 in floating point), and a
  // tolerance so a rank that is whole on paper stays whole.
  const rank = Math.ceil((p * sorted.length) / 100 - 1e-9);
  return sorted[Math.max(1, rank) - 1]!;
}

export const PERCENTILES = [50, 90, 99, 99.9] as const;

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  'p99.9': number;
  n: number;
  mean: number;
  max: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  return {
    p50: nearestRank(samples, 50),
    p90: nearestRank(samples, 90),
    p99: nearestRank(samples, 99),
    'p99.9': nearestRank(samples, 99.9),
    n: samples.length,
    mean: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : NaN,
    max: samples.length ? Math.max(...samples) : NaN,
  };
}

/** Counts per bucket of `widthMs` (the latency distribution the report shows). */
export function distribution(samples: readonly number[], buckets = 20): { fromMs: number; toMs: number; count: number }[] {
  if (!samples.length) return [];
  const lo = Math.min(...samples);
  const hi = Math.max(...samples);
  const w = (hi - lo) / buckets || 1;
  const out = Array.from({ length: buckets }, (_, i) => ({ fromMs: lo + i * w, toMs: lo + (i + 1) * w, count: 0 }));
  for (const s of samples) out[Math.min(buckets - 1, Math.floor((s - lo) / w))]!.count++;
  return out;
}
