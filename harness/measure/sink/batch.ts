// One batch from memory to the server, in requests of at most chunkLimit lines: a 413 halves
// the limit (for good) and the part is sent again; a refused part is quarantined.
import { ABANDONED, type SinkCore } from './core.js';
import { quarantine } from './quarantine.js';

export type BatchResult = { ok: true } | { ok: false; error: string; unsent: string[] };

export async function sendBatch(core: SinkCore, lines: string[]): Promise<BatchResult> {
  let at = 0;
  while (at < lines.length) {
    const part = lines.slice(at, at + core.chunkLimit);
    const outcome = await core.post(part);
    if (core.abandoned) return { ok: false, error: ABANDONED, unsent: lines.slice(at) };
    if (outcome.kind === 'tooLarge') {
      core.chunkLimit = Math.max(1, Math.min(core.chunkLimit, Math.ceil(part.length / 2)));
      continue;
    }
    if (outcome.kind === 'failed') return { ok: false, error: outcome.message, unsent: lines.slice(at) };
    if (outcome.kind === 'rejected') await quarantine(core, part, outcome);
    else {
      core.written += part.length;
      core.health.cameBack();
    }
    at += part.length;
  }
  return { ok: true };
}
