// Closing by a deadline: flush while time allows; at the deadline, whatever is still in memory
// or in a request goes to the spool at once (a request the server answers late may then be
// written twice, which InfluxDB absorbs: same series and time). Never throws.
import { log, type SinkCore } from './core.js';
import type { DeliveryLoop } from './delivery.js';
import type { CloseOutcome } from './types.js';

export async function closeByDeadline(core: SinkCore, loop: DeliveryLoop, flush: () => Promise<void>, deadline: number, sooner?: Promise<unknown>): Promise<CloseOutcome> {
  let { error, timedOut } = await flushBy(flush, core.s.url, deadline, sooner);
  if (timedOut) error = spoolAtDeadline(core, error);
  else if (error === null) await loop.settled();
  const lost = core.queue.buffer.length;
  if (lost > 0) log.error({ points: lost }, 'points neither written nor spooled at close');
  const spooled = core.spool?.points ?? 0;
  await core.spool?.release();
  return { written: core.written, spooled, lost, rejected: core.rejected, error, spoolDir: core.s.spoolPath };
}

/** `sooner`, when it resolves first, ends the wait early (a second Ctrl-C). */
async function flushBy(flush: () => Promise<void>, url: string, deadline: number, sooner?: Promise<unknown>): Promise<{ error: string | null; timedOut: boolean }> {
  let error: string | null = null;
  let timedOut = false;
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      flush(),
      new Promise<never>((_, reject) => {
        const giveUp = () => {
          timedOut = true;
          reject(new Error(`no answer from ${url} by the teardown deadline`));
        };
        t = setTimeout(giveUp, Math.max(0, deadline - Date.now()));
        void sooner?.then(giveUp);
      }),
    ]);
  } catch (err) {
    error = (err as Error).message;
  } finally {
    clearTimeout(t);
  }
  return { error, timedOut };
}

/** Abandon the passes still running and append all that is in memory to the spool, synchronously. */
function spoolAtDeadline(core: SinkCore, error: string | null): string | null {
  const q = core.queue;
  core.abandoned = true;
  const lines = [...q.transit].flat().concat(q.buffer);
  q.buffer = [];
  q.transit.clear();
  if (lines.length > 0 && core.spool) {
    try {
      core.spool.appendNow(lines);
    } catch (err) {
      q.buffer = lines;
      return `${error}; cannot write spool in ${core.s.spoolPath}: ${(err as Error).message}`;
    }
  } else if (lines.length > 0) q.buffer = lines;
  return error;
}
