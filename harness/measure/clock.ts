// The time a trial's measurements are on. Real: the host's clock. Virtual (`--clock virtual`,
// twin rigs only): a time the controller advances epoch by epoch while the twin computes what
// happened up to it; it starts at the host's time when made, so a virtual trial's points sit
// on a plausible timeline (ahead of the host's clock by the time the run saved).
import { nowNs } from './types.js';

export type ClockKind = 'real' | 'virtual';

export interface Clock {
  readonly kind: ClockKind;
  /** ns since the Unix epoch. */
  nowNs(): bigint;
}

export const hostClock: Clock = { kind: 'real', nowNs };

export class VirtualTime implements Clock {
  readonly kind = 'virtual';
  private t: bigint;

  constructor(startNs = nowNs()) {
    this.t = startNs;
  }

  nowNs(): bigint {
    return this.t;
  }

  /** Move forward to `tNs` (never back). */
  set(tNs: bigint): void {
    if (tNs < this.t) throw new RangeError(`virtual time cannot go back (${tNs} < ${this.t})`);
    this.t = tNs;
  }
}
