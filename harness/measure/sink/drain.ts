// Delivering the spool, oldest first, one batch at a time (only one request at once: the
// order on disk is the order of delivery). A failure arms the backoff and ends the drain.
import type { WriteOutcome } from '../client.js';
import { ABANDONED, log, type PassResult, type SinkCore } from './core.js';
import { quarantine } from './quarantine.js';

export async function drainSpool(core: SinkCore): Promise<PassResult> {
  let sent = 0;
  while (!core.sp.isEmpty) {
    let lines: string[];
    try {
      lines = await core.sp.peek(Math.min(core.s.batchSize, core.chunkLimit));
    } catch (err) {
      return core.spoolFailed(err);
    }
    if (lines.length === 0) {
      await core.sp.advance(0);
      continue;
    }
    const outcome: WriteOutcome = await core.post(lines);
    if (core.abandoned) return { ok: false, error: ABANDONED };
    if (outcome.kind === 'tooLarge') {
      core.chunkLimit = Math.ceil(lines.length / 2);
      continue;
    }
    if (outcome.kind === 'failed') {
      core.health.wentDown(outcome.message);
      return { ok: false, error: outcome.message };
    }
    if (outcome.kind === 'rejected') await quarantine(core, lines, outcome);
    else {
      core.written += lines.length;
      sent += lines.length;
    }
    const done = await core.sp.advance(lines.length);
    if (done > 0) core.queue.delivered(done);
  }
  core.health.cameBack();
  if (sent > 0) log.info({ points: sent }, 'spooled points delivered');
  return { ok: true };
}
