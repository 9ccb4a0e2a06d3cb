// One KPM subscription's stream: every granularity period (scheduled against the start, so
// periods do not drift) it evaluates the cells and writes one indication per cell; while
// the client is not reading (backpressure) indications are dropped and counted, never queued.
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import { nowNs } from '../../measure/types.js';
import type { CellRadio } from '../radio.js';
import { kpmIndication } from './kpm.js';
import type { KpmStream } from '../../wire/index.js';

const log = childLog('twin.gnb');

export interface KpmStreamOptions {
  nodeId: string;
  periodMs: number;
  cellIds: string[];
  /** The cells' figures for the period that just ended. */
  evaluate(): Map<string, CellRadio>;
  /** Called once when the stream ends, whoever ended it. */
  onEnd(): void;
}

export interface KpmStreamHandle {
  /** Stop the periods; endStream also ends the gRPC stream (a node shutting down). */
  stop(endStream: boolean): void;
}

export function streamKpm(call: KpmStream, o: KpmStreamOptions): KpmStreamHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let blocked = false;
  let dropped = 0;
  let seq = 0n;
  const periodNs = BigInt(o.periodMs) * 1_000_000n;
  const startNs = nowNs();
  const t0 = performance.now();
  let k = 0;
  const sub = {
    stop: (endStream: boolean) => {
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
    },
  };
  const tick = () => {
    if (stopped) return;
    k++;
    try {
      const results = o.evaluate();
      const collectionStart = startNs + BigInt(k - 1) * periodNs;
      for (const id of o.cellIds) {
        seq++;
        const r = results.get(id);
        if (!r) continue;
        if (blocked) {
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
    } catch (err) {
      log.error({ node: o.nodeId, err: messageOf(err) }, 'KPM period failed');
    }
    // Schedule against the start time so periods do not drift.
    const next = t0 + (k + 1) * o.periodMs;
    timer = setTimeout(tick, Math.max(0, next - performance.now()));
  };
  call.on('cancelled', () => sub.stop(false));
  call.on('error', () => sub.stop(false));
  call.on('close', () => sub.stop(false));
  timer = setTimeout(tick, o.periodMs);
  return sub;
}
