// A 400 is a partial write: the server kept the points it could; the rest are refused for good
// (retrying would block the spool forever). The whole request is kept for a person to read.
import type { WriteOutcome } from '../client.js';
import { log, type SinkCore } from './core.js';

export async function quarantine(core: SinkCore, lines: string[], outcome: Extract<WriteOutcome, { kind: 'rejected' }>): Promise<void> {
  core.rejected += outcome.dropped;
  core.written += lines.length - outcome.dropped;
  let where = '';
  try {
    where = await core.sp.reject(lines, outcome.message);
  } catch (err) {
    log.error({ err }, 'cannot save refused points');
  }
  const msg = `${outcome.dropped} points refused by ${core.s.url} (${outcome.message}); the request is kept in ${where || 'nowhere (could not write it)'}`;
  log.error({ dropped: outcome.dropped, reason: outcome.message, file: where }, 'points refused by the server');
  core.rejectedUnflushed = msg;
}
