// A bound on how fast an agent may send KPM indications. A subscription expects one per cell
// per period; up to twice that (with a one-second burst) is accepted, the rest is dropped and
// counted. An agent still sending more than ten times the bound after a second of drops is
// flooding, not jittering, and is failed.
export type RateVerdict = 'accept' | 'drop' | 'flood';

export const RATE_HEADROOM = 2;
export const FLOOD_FACTOR = 10;

export class IndicationRate {
  /** Indications accepted per second at most (sustained). */
  readonly allowedPerSecond: number;
  private tokens: number;
  private last: number;
  private windowStart: number;
  private windowDrops = 0;
  dropped = 0;
  accepted = 0;

  constructor(cells: number, periodMs: number, now = performance.now()) {
    this.allowedPerSecond = RATE_HEADROOM * cells * (1000 / periodMs) + 1;
    this.tokens = this.capacity;
    this.last = now;
    this.windowStart = now;
  }

  private get capacity(): number {
    return Math.max(this.allowedPerSecond, 4);
  }

  admit(now = performance.now()): RateVerdict {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.allowedPerSecond);
    this.last = now;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowDrops = 0;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.accepted++;
      return 'accept';
    }
    this.dropped++;
    this.windowDrops++;
    return this.windowDrops > FLOOD_FACTOR * this.allowedPerSecond ? 'flood' : 'drop';
  }
}
