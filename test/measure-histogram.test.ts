import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../harness/measure/index.js';
import { seededRandom } from '../harness/plan/index.js';

/** Exact nearest-rank percentile (MLPerf LoadGen's rule). */
function nearestRank(sorted: number[], p: number): number {
  // (p / 100) * n in floating point can land one ulp above an integer (0.999 * 50000 is
  // 49950.000000000007): do not let that push the rank up by one.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-7));
  return sorted[rank - 1];
}


describe('LatencyHistogram', () => {
  it('gives exact percentiles on a uniform 1..10000 us distribution', () => {
    const h = new LatencyHistogram({ unit: 'us' });
    for (let v = 1; v <= 10_000; v++) h.record(v);
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(s.min).toBe(1);
    expect(s.max).toBe(10_000);
    expect(s.mean).toBeCloseTo(5000.5, 6);
    // 3 significant digits: each percentile is within 0.1% of the exact nearest-rank value.
    for (const [got, want] of [
      [s.p50, 5000],
      [s.p90, 9000],
      [s.p99, 9900],
      [s.p999, 9990],
    ]) {
      expect(Math.abs(got - want) / want).toBeLessThanOrEqual(0.001);
    }
  });

  it('matches nearest-rank percentiles of an exponential latency sample (ns, from bigint)', () => {
    const rnd = seededRandom(42);
    const h = new LatencyHistogram({ unit: 'ns' });
    const samples: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // 200 us floor plus an exponential tail with a 1.5 ms mean, in ns.
      const ns = Math.round(200_000 - 1_500_000 * Math.log(1 - rnd()));
      samples.push(ns);
      h.recordNs(BigInt(ns));
    }
    samples.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const want = nearestRank(samples, p);
      expect(Math.abs(h.percentile(p) - want) / want).toBeLessThanOrEqual(0.001);
    }
    expect(h.summary().max).toBe(samples[samples.length - 1]);
    expect(h.summary().min).toBe(samples[0]);
  });

  it('converts ns to us and clamps negative samples (clock offset error) to 0, counting them', () => {
    const h = new LatencyHistogram({ unit: 'us' });
    h.recordNs(1_500_000n); // 1500 us
    h.recordNs(-3000); // -3 us
    const s = h.summary();
    expect(s.max).toBe(1500);
    expect(s.min).toBe(0);
    expect(s.negative).toBe(1);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
  });

  it('corrects coordinated omission like HdrHistogram', () => {
    const h = new LatencyHistogram({ unit: 'us' });
    h.recordCorrected(1000, 100); // 1000, 900, ..., 100
    expect(h.count).toBe(10);
    expect(h.summary().mean).toBe(550);
  });

  it('merges, resets, encodes and is NaN when empty', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(10);
    b.record(30);
    a.merge(b);
    expect(a.summary()).toMatchObject({ count: 2, min: 10, max: 30, mean: 20 });
    expect(a.encode()).toMatch(/^[A-Za-z0-9+/=]+$/);
    a.reset();
    expect(a.count).toBe(0);
    expect(Number.isNaN(a.summary().p99)).toBe(true);
    expect(() => a.merge(new LatencyHistogram({ unit: 'ns' }))).toThrow(RangeError);
  });

  it('percentiles stay within resolution of nearest rank and within [min, max] (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0.1, max: 100, noNaN: true }), (xs, p) => {
        const h = new LatencyHistogram({ unit: 'us' });
        for (const x of xs) h.record(x);
        const sorted = [...xs].sort((a, b) => a - b);
        const want = nearestRank(sorted, p);
        const got = h.percentile(p);
        expect(got).toBeGreaterThanOrEqual(sorted[0]);
        expect(got).toBeLessThanOrEqual(sorted[sorted.length - 1]);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.max(1, want * 0.001));
      }),
      { numRuns: 200 },
    );
  });
});
