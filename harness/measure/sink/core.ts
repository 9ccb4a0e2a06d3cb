// What every step of delivery shares: the settings, the memory queue, the server's health, the
// spool on disk and the counters. The steps themselves are functions over it, one file each.
import { childLog } from '../../log.js';
import { writeLines, type WriteOutcome } from '../client.js';
import { Spool } from '../spool.js';
import { ServerHealth } from './backoff.js';
import { LineQueue } from './queue.js';
import type { SinkSettings } from './settings.js';

export const log = childLog('influx');

/** 'full': send only whole batches; 'all': send everything queued. */
export type Mode = 'full' | 'all';

export interface PassResult {
  ok: boolean;
  error?: string;
}

export const ABANDONED = 'abandoned at the teardown deadline';

export class SinkCore {
  readonly queue = new LineQueue();
  readonly health: ServerHealth;
  spool: Spool | null = null;
  readonly opening: Promise<Spool>;
  /** Set when closeBy() gave up waiting: a late pass must leave the spool and queue alone. */
  abandoned = false;
  closed = false;
  /** Wakes a delivery pass waiting on its requests when a full batch is queued. */
  wake: (() => void) | null = null;
  written = 0;
  rejected = 0;
  /** A refusal not yet reported by flush(). */
  rejectedUnflushed: string | null = null;
  refused = 0;
  /** Largest request the server took when it answered 413; otherwise batchSize. */
  chunkLimit: number;

  constructor(readonly s: SinkSettings) {
    this.health = new ServerHealth(s);
    this.chunkLimit = s.batchSize;
    this.opening = Spool.open(s.spoolPath, s.spoolSegmentLines);
  }

  /** The open spool; only used after `await this.opening` succeeded. */
  get sp(): Spool {
    return this.spool!;
  }

  /** One write request with the sink's timeout and retention policy. */
  post(lines: string[]): Promise<WriteOutcome> {
    return writeLines(this.s.target, this.s.database, lines, { timeoutMs: this.s.writeTimeoutMs, retentionPolicy: this.s.retentionPolicy });
  }

  spoolFailed(err: unknown): PassResult {
    const message = `cannot write spool in ${this.s.spoolPath}: ${(err as Error).message}`;
    this.health.lastError = message;
    log.error({ err, pending: this.queue.buffer.length }, 'spool write failed; points kept in memory');
    return { ok: false, error: message };
  }
}
