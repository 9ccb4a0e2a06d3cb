// The twin node's clock: the host's (real time), or one the controller advances (`ranlab trial
// --clock virtual`): then nothing in the node runs on a wall timer, and each advance produces
// at once what the node would have produced up to that moment, stamped in virtual time.
import { nowNs } from '../../measure/types.js';

export interface NodeClock {
  readonly virtual: boolean;
  /** ns since the Unix epoch (virtual: the time the controller last advanced the node to). */
  nowNs(): bigint;
}

export const realClock: NodeClock = { virtual: false, nowNs };

export class VirtualClock implements NodeClock {
  readonly virtual = true;
  /** Starts at the host's time, so the node's first stamps are plausible before any advance. */
  private t = nowNs();

  nowNs(): bigint {
    return this.t;
  }

  /** Move to `toNs`; a clock never goes back, so an earlier time is refused (false). */
  advanceTo(toNs: bigint): boolean {
    if (toNs < this.t) return false;
    this.t = toNs;
    return true;
  }
}
