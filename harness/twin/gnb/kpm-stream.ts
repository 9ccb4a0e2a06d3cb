// One KPM subscription's stream. Granularity periods lie on a grid of whole periods of the
// node's clock (multiples of the period since the Unix epoch), so every twin node of a rig
// measures the same windows and a controller can align its epochs to them. Each period is
// figured by the radio model at its midpoint (a representative moment, and one that a
// control arriving just before the next period cannot reach) and sent once it has ended.
// Real time: a timer per period end; while the client is not reading (backpressure)
// indications are dropped and counted, never queued. Virtual time (clock.ts): no timer;
// advanceTo() sends every period that has ended by then, waiting for the client to read.
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import type { CellRadio } from '../radio.js';
import type { NodeClock } from './clock.js';
import { kpmIndication } from './kpm.js';
import type { KpmStream } from '../../wire/index.js';

const log = childLog('twin.gnb');

export interface KpmStreamOptions {
  nodeId: string;
  periodMs: number;
  cellIds: string[];
  clock: NodeClock;
  /** The cells' figures for a period, sampled at `atNs`. */
  evaluate(atNs: bigint): Map<string, CellRadio>;
  /** Called once when the stream ends, whoever ended it. */
  onEnd(): void;
}

export interface KpmStreamHandle {
  /** Stop the periods; endStream also ends the gRPC stream (a node shutting down). */
  stop(endStream: boolean): void;
  /** Virtual time: send every period that ends by `toNs`; resolves with how many indications went out. */
  advanceTo(toNs: bigint): Promise<number>;
}

/** The first period boundary at or after `tNs`. */
export function nextBoundary(tNs: bigint, periodNs: bigint): bigint {
  return ((tNs + periodNs - 1n) / periodNs) * periodNs;
}

export function streamKpm(call: KpmStream, o: KpmStreamOptions): KpmStreamHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let blocked = false;
  let dropped = 0;
  let seq = 0n;
  const periodNs = BigInt(o.periodMs) * 1_000_000n;
  /** Start of the next period to send. */
  let start = nextBoundary(o.clock.nowNs(), periodNs);
  const stop = (endStream: boolean) => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    o.onEnd();
    if (endStream) {
      try {
        call.end();
      } catch {
        // already closed
      }
    }
    log.debug({ node: o.nodeId, period: o.periodMs, dropped }, 'KPM subscription ended');
  };
  /** Figure the period starting at `start` and write its indications; false when the client is not reading. */
  const sendPeriod = (): boolean => {
    const collectionStart = start;
    start += periodNs;
    let results: Map<string, CellRadio>;
    try {
      results = o.evaluate(collectionStart + periodNs / 2n);
    } catch (err) {
      log.error({ node: o.nodeId, err: messageOf(err) }, 'KPM period failed');
      return true;
    }
    for (const id of o.cellIds) {
      seq++;
      const r = results.get(id);
      if (!r) continue;
      if (blocked && !o.clock.virtual) {
        dropped++;
        continue;
      }
      if (!call.write(kpmIndication(o.nodeId, r, collectionStart, o.periodMs, seq))) {
        blocked = true;
        call.once('drain', () => {
          blocked = false;
        });
      }
    }
    return !blocked;
  };
  const schedule = () => {
    const waitMs = Number(start + periodNs - o.clock.nowNs()) / 1e6;
    timer = setTimeout(tick, Math.max(0, waitMs));
  };
  const tick = () => {
    if (stopped) return;
    // A late timer (a busy host) sends every period that has ended, each still on the grid.
    while (!stopped && start + periodNs <= o.clock.nowNs()) sendPeriod();
    if (!stopped) schedule();
  };
  const advanceTo = async (toNs: bigint): Promise<number> => {
    let sent = 0;
    while (!stopped && start + periodNs <= toNs) {
      sent += o.cellIds.length;
      if (!sendPeriod()) await new Promise<void>((r) => (blocked ? call.once('drain', () => r()) : r()));
    }
    return sent;
  };
  call.on('cancelled', () => stop(false));
  call.on('error', () => stop(false));
  call.on('close', () => stop(false));
  if (!o.clock.virtual) schedule();
  return { stop, advanceTo };
}
