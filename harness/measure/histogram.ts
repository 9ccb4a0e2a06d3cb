// Latency histograms for the offload trials, on hdr-histogram-js. Values are integers in the
// histogram's unit (ns or us); percentiles are nearest-rank (MLPerf LoadGen's rule: the
// smallest recorded value with at least p% of samples at or below it) to within the chosen
// significant digits (3: 0.1%). count, min, max and mean are exact.
import * as hdr from 'hdr-histogram-js';

export type LatencyUnit = 'ns' | 'us';

export interface LatencyHistogramOptions {
  /** Unit of recorded values (default 'us'). */
  unit?: LatencyUnit;
  /** Decimal digits of resolution, 1..5 (default 3: values within 0.1%). */
  significantDigits?: 1 | 2 | 3 | 4 | 5;
}

export interface LatencySummary {
  unit: LatencyUnit;
  count: number;
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Negative samples (clock offset error across hosts), recorded as 0. */
  negative: number;
}

const NS_PER: Record<LatencyUnit, number> = { ns: 1, us: 1000 };

export class LatencyHistogram {
  readonly unit: LatencyUnit;
  private h: hdr.Histogram;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private negative = 0;
  private readonly digits: 1 | 2 | 3 | 4 | 5;

  constructor(opts: LatencyHistogramOptions = {}) {
    this.unit = opts.unit ?? 'us';
    this.digits = opts.significantDigits ?? 3;
    this.h = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: this.digits, useWebAssembly: false });
  }

  get count(): number {
    return this.n;
  }

  /** Record one latency in this histogram's unit (rounded to an integer; negatives count as 0). */
  record(value: number): void {
    this.recordInternal(value, 0);
  }

  /**
   * Record one latency with coordinated-omission correction: when the value exceeds the
   * expected interval between samples, the samples that a stalled system kept from being
   * issued are added (as HdrHistogram does). For fixed-rate load; LoadGen-style timing from
   * the scheduled time makes this unnecessary.
   */
  recordCorrected(value: number, expectedInterval: number): void {
    this.recordInternal(value, expectedInterval);
  }

  /** Record a latency given in nanoseconds (bigint from hrtime or number), converted to the unit. */
  recordNs(ns: bigint | number): void {
    const v = typeof ns === 'bigint' ? Number(ns) : ns;
    this.recordInternal(v / NS_PER[this.unit], 0);
  }

  private recordInternal(value: number, expectedInterval: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`latency must be a finite number, got ${value}`);
    let v = Math.round(value);
    if (v < 0) {
      this.negative++;
      v = 0;
    }
    this.h.recordValue(v);
    this.n++;
    this.sum += v;
    const every = Math.round(expectedInterval);
    if (every > 0) {
      // HdrHistogram's correction: also record v - k*interval while that is >= interval.
      for (let x = v - every; x >= every; x -= every) {
        this.h.recordValue(x);
        this.n++;
        this.sum += x;
      }
    }
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
  }

  /**
   * The p-th percentile (0 < p <= 100), nearest rank, within the histogram's resolution and
   * never above the exact maximum. NaN when empty.
   */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
    if (this.n === 0) return NaN;
    return Math.max(this.lo, Math.min(this.hi, this.h.getValueAtPercentile(p)));
  }

  summary(): LatencySummary {
    const empty = this.n === 0;
    return {
      unit: this.unit,
      count: this.n,
      min: empty ? NaN : this.lo,
      mean: empty ? NaN : this.sum / this.n,
      stddev: empty ? NaN : this.h.stdDeviation,
      p50: this.percentileOrNaN(50),
      p90: this.percentileOrNaN(90),
      p99: this.percentileOrNaN(99),
      p999: this.percentileOrNaN(99.9),
      max: empty ? NaN : this.hi,
      negative: this.negative,
    };
  }

  private percentileOrNaN(p: number): number {
    return this.n === 0 ? NaN : this.percentile(p);
  }

  /** Add another histogram's samples (same unit). */
  merge(other: LatencyHistogram): void {
    if (other.unit !== this.unit) throw new RangeError(`cannot merge a ${other.unit} histogram into a ${this.unit} one`);
    this.h.add(other.h);
    this.n += other.n;
    this.sum += other.sum;
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    this.negative += other.negative;
  }

  reset(): void {
    this.h.reset();
    this.n = 0;
    this.sum = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
    this.negative = 0;
  }

  /** The HdrHistogram compressed base64 form (for storing the full distribution in a report). */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.h);
  }
}
