// The clock a spectrum trial's epochs run on. Real: the host's; the loop waits for each
// window to pass. Virtual (`--clock virtual`, twin rigs): the controller advances every twin
// node to the window's end and the nodes send at once what they measured up to then, so a
// trial runs as fast as the machine computes it.
import { ComponentError } from '../errors.js';
import { nowNs, VirtualTime } from '../measure/index.js';
import type { RigSession } from './session.js';

/** Longest single advance: indications stay within the driver's clock-skew bound of its clock. */
const MAX_STEP_NS = 5_000_000_000n;

export interface EpochClock {
  readonly kind: 'real' | 'virtual';
  nowNs(): bigint;
  /** Before the KPM subscriptions: every node to the trial's time (virtual: one advance). */
  sync(): Promise<void>;
  /** Let the trial's time reach `tNs`: real, wait for it; virtual, advance every node to it. */
  runUntil(tNs: bigint): Promise<void>;
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export function epochClock(session: RigSession): EpochClock {
  const c = session.clock;
  if (!(c instanceof VirtualTime)) {
    return {
      kind: 'real',
      nowNs,
      sync: async () => undefined,
      runUntil: async (tNs) => {
        // setTimeout may fire a little early by the ns clock: wait again for the rest.
        while (nowNs() < tNs) await sleepMs(Math.ceil(Number(tNs - nowNs()) / 1e6));
      },
    };
  }
  const advanceAll = async (tNs: bigint) => {
    c.set(tNs);
    await Promise.all(
      [...session.basestations.values()].map((bs) => {
        if (!bs.driver.advance) throw new ComponentError(bs.rig.id, 'its driver cannot advance virtual time (only twin agents can)', 'NO_VIRTUAL_TIME');
        return bs.driver.advance(tNs);
      }),
    );
  };
  return {
    kind: 'virtual',
    nowNs: () => c.nowNs(),
    // The nodes started on the host's time during bring-up: the trial's time starts after them.
    sync: () => advanceAll(nowNs() > c.nowNs() ? nowNs() : c.nowNs()),
    runUntil: async (tNs) => {
      while (c.nowNs() < tNs) {
        const step = c.nowNs() + MAX_STEP_NS;
        await advanceAll(step < tNs ? step : tNs);
      }
    },
  };
}
