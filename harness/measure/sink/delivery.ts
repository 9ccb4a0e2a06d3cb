// The delivery loop: passes run one after another on a promise chain. A pass delivers the
// spool first (in order), then the memory queue; while the server is down (backoff running)
// or the backlog outgrows memory, what is queued goes to the spool instead.
import { log, type Mode, type PassResult, type SinkCore } from './core.js';
import { drainSpool } from './drain.js';
import { sendQueued } from './inflight.js';
import { spillAll } from './spill.js';

export class DeliveryLoop {
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;
  private fullPassQueued = false;

  constructor(private readonly core: SinkCore) {}

  /** Resolves when every pass queued so far has ended (never rejects). */
  settled(): Promise<unknown> {
    return this.chain.catch(() => undefined);
  }

  /** The flush timer: send whatever is queued, unless a pass is under way. */
  tick(): void {
    const core = this.core;
    if (this.busy || core.closed) return;
    if (core.queue.buffer.length === 0 && (core.spool === null || core.spool.isEmpty)) return;
    void this.schedule('all', false);
  }

  /** Queue a pass behind any running one. A 'full' pass is queued at most once. */
  schedule(mode: Mode, force: boolean): Promise<PassResult> {
    if (mode === 'full' && !force) {
      if (this.fullPassQueued) return Promise.resolve({ ok: true });
      this.fullPassQueued = true;
    }
    const run = this.chain.then(async () => {
      if (mode === 'full' && !force) this.fullPassQueued = false;
      this.busy = true;
      try {
        return await pass(this.core, mode, force);
      } catch (err) {
        log.error({ err }, 'delivery pass failed unexpectedly');
        return { ok: false, error: (err as Error).message };
      } finally {
        this.busy = false;
      }
    });
    this.chain = run;
    return run;
  }
}

/** `force`: try the server now, whatever the backoff (flush() does). */
async function pass(core: SinkCore, mode: Mode, force: boolean): Promise<PassResult> {
  try {
    await core.opening;
  } catch (err) {
    return { ok: false, error: `spool folder unusable: ${(err as Error).message}` };
  }
  const q = core.queue;
  for (;;) {
    if (!core.sp.isEmpty) {
      if (!force && core.health.waitingToRetry) {
        // Down and waiting to retry: nothing may overtake what waits on disk.
        await spillAll(core);
        return { ok: false, error: core.health.lastError ?? 'waiting to retry' };
      }
      const r = await drainSpool(core);
      if (!r.ok) {
        await spillAll(core);
        return r;
      }
    }
    if (q.buffer.length === 0) return { ok: true };
    if (q.buffer.length > (core.health.connected ? 20 * core.s.maxPending : core.s.maxPending)) {
      // The server is failing (or slower than the measurements for good): hold the backlog
      // on disk, not in memory.
      await spillAll(core);
      if (q.buffer.length > 0) return { ok: false, error: core.health.lastError ?? 'spool write failed' };
      continue;
    }
    if (mode === 'full' && q.buffer.length < core.s.batchSize) return { ok: true };
    const r = await sendQueued(core, mode);
    if (!r.ok) return r;
  }
}
