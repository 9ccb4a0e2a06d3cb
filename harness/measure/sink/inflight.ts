// Requests in flight: queued batches go out up to maxInFlight at once (the server's own
// parallelism is used) until too few are queued (mode 'full') or none (mode 'all'), or one
// fails; then the failed batches go to the spool in order, followed by everything queued.
import { sendBatch, type BatchResult } from './batch.js';
import { ABANDONED, type Mode, type PassResult, type SinkCore } from './core.js';
import { spillAll } from './spill.js';

interface Sent {
  lines: string[];
  lastSeq: number;
  done: Promise<Sent>;
  result?: BatchResult;
}

export async function sendQueued(core: SinkCore, mode: Mode): Promise<PassResult> {
  const q = core.queue;
  const { batchSize, maxInFlight } = core.s;
  const window: Sent[] = [];
  const running = new Set<Sent>();
  let failure: string | null = null;
  for (;;) {
    while (failure === null && running.size < maxInFlight && q.buffer.length > 0 && (mode === 'all' || q.buffer.length >= batchSize)) {
      const { lines, lastSeq } = q.take(Math.min(batchSize, core.chunkLimit, q.buffer.length));
      q.transit.add(lines);
      const sent: Sent = { lines, lastSeq, done: null as unknown as Promise<Sent> };
      sent.done = sendBatch(core, lines).then((r) => ((sent.result = r), sent));
      window.push(sent);
      running.add(sent);
    }
    if (running.size === 0) break;
    const woken = new Promise<null>((r) => (core.wake = () => r(null)));
    const sent = await Promise.race([...[...running].map((x) => x.done), woken]);
    core.wake = null;
    if (sent === null) continue;
    running.delete(sent);
    q.transit.delete(sent.lines);
    if (core.abandoned) return { ok: false, error: ABANDONED };
    if (!sent.result!.ok) failure ??= sent.result!.error;
    // Delivered up to the first batch not yet written.
    while (window.length > 0 && window[0]!.result?.ok) q.delivered(window.shift()!.lastSeq);
  }
  if (failure === null) return { ok: true };
  core.health.wentDown(failure);
  return spoolFailedWindow(core, window, failure);
}

/**
 * What failed, in order, to the spool; its last segment then stands for every batch in the
 * window (the ones that succeeded after a failure are delivered when it is).
 */
async function spoolFailedWindow(core: SinkCore, window: Sent[], failure: string): Promise<PassResult> {
  const q = core.queue;
  const unsent = window.flatMap((x) => (x.result!.ok ? [] : x.result!.unsent));
  const lastSeq = Math.max(...window.map((x) => x.lastSeq));
  q.transit.add(unsent);
  try {
    await core.sp.append(unsent, lastSeq);
  } catch (err) {
    q.putBack(unsent);
    return core.spoolFailed(err);
  } finally {
    q.transit.delete(unsent);
  }
  await spillAll(core);
  return { ok: false, error: failure };
}
