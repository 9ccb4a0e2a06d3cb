// Everything queued in memory to the spool, in one durable append: what the sink does while
// the server is down or behind, so that nothing overtakes what already waits on disk.
import type { SinkCore } from './core.js';

export async function spillAll(core: SinkCore): Promise<void> {
  const q = core.queue;
  if (q.buffer.length === 0) return;
  const lines = q.buffer;
  const lastSeq = q.acceptedSeq;
  q.buffer = [];
  // Counted as pending (in transit to disk) until the append is durable.
  q.transit.add(lines);
  try {
    await core.sp.append(lines, lastSeq);
  } catch (err) {
    // Keep them in memory (ahead of anything written meanwhile) and report.
    q.putBack(lines);
    core.spoolFailed(err);
  } finally {
    q.transit.delete(lines);
  }
}
