// InfluxSink: the MeasurementSink that streams points to InfluxDB 1.x.
//
// write() serializes points to line protocol (series keys escaped once per tag set, see
// formatter.ts) and queues them in memory; it never blocks and never throws. One delivery loop
// sends batches of `batchSize` points as soon as that many are queued (up to `maxInFlight`
// requests at once, so the server's own parallelism is used), and whatever is queued every
// `flushIntervalMs`. A burst stays in memory while the server keeps answering. When a write
// fails (server down, timeout, 5xx) the failed batches are appended to the spool on disk, and
// from then on everything queued goes to the spool behind them, until the spool has been
// delivered (retried with backoff, oldest first). Unlike Telegraf's buffer, nothing accepted
// is ever overwritten or dropped.
//
// Every accepted point gets a sequence number. Batches complete in any order, but "delivered
// up to N" only moves past a batch once it and every batch before it are written (or on disk
// behind a failure), so flush() waits for the number that was accepted when it was called.
import { resolve } from 'node:path';
import { ComponentError, ConfigError } from '../errors.js';
import { childLog } from '../log.js';
import { checkInfluxReachable, parseInfluxUrl, writeLines, type InfluxTarget, type WriteOutcome } from './client.js';
import { LineFormatter } from './formatter.js';
import { Intake } from './intake.js';
import { RANLAB_INTEGER_FIELDS } from './schema.js';
import { Spool } from './spool.js';
import type { MeasurementSink, Point, TagSet } from './types.js';

const log = childLog('influx');

export interface InfluxSinkOptions {
  /** http(s)://[user:password@]host:port of an InfluxDB 1.x server. */
  url: string;
  database: string;
  /** Where undeliverable points wait on disk, e.g. results/<trial>/spool. One sink per folder. */
  spoolDir: string;
  retentionPolicy?: string;
  /** Points per write request (InfluxDB's documented sweet spot is about 5,000). */
  batchSize?: number;
  /** Queued points are sent at least this often. */
  flushIntervalMs?: number;
  /** One write request may take this long before it counts as failed. */
  writeTimeoutMs?: number;
  /** Backoff between delivery attempts while the server is down. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * While the server is failing, more points than this waiting in memory go to the spool
   * instead. While it answers, a burst stays in memory up to 20 times this (bounds memory for
   * a server slower than the measurements for good).
   */
  maxPendingPoints?: number;
  /** Write requests at once (default 3). */
  maxInFlight?: number;
  /** Lines per spool segment file. */
  spoolSegmentLines?: number;
  /** Fields written as integers, per measurement (default: ranlab's schema). */
  integerFields?: Readonly<Record<string, readonly string[]>>;
  /** Tags put on every point (e.g. { rig, trial }); a point's own tag of the same key wins. */
  defaultTags?: TagSet;
}

export interface SinkStats {
  /** Points taken by write() since the sink opened. */
  accepted: number;
  /** Points confirmed written to the database (including spooled ones delivered later). */
  written: number;
  /** Points in memory, queued or in a request now. */
  pending: number;
  /** Points on disk in the spool, waiting for the server. */
  spooled: number;
  /** Points the server refused for good (HTTP 400), kept in <spoolDir>/rejected.lp. */
  rejected: number;
  /** Points write() refused (malformed, or written after close); never accepted. */
  refused: number;
  /** False from a failed write until a write succeeds again. */
  connected: boolean;
  lastError: string | null;
}

/** What closeBy() could not deliver: `spooled` points wait on disk, `lost` ones were only in memory. */
export interface CloseOutcome {
  written: number;
  spooled: number;
  lost: number;
  rejected: number;
  error: string | null;
  spoolDir: string;
}

type Mode = 'full' | 'all';

type BatchResult = { ok: true } | { ok: false; error: string; unsent: string[] };

interface PassResult {
  ok: boolean;
  error?: string;
}

export class InfluxSink implements MeasurementSink {
  readonly url: string;
  readonly database: string;
  private readonly target: InfluxTarget;
  private readonly batchSize: number;
  private readonly writeTimeoutMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly maxPending: number;
  private readonly maxInFlight: number;
  private readonly intake: Intake;
  /** Wakes a delivery pass waiting on its requests when a full batch is queued. */
  private wake: (() => void) | null = null;
  private readonly retentionPolicy?: string;

  private buffer: string[] = [];
  private acceptedSeq = 0;
  private deliveredSeq = 0;
  /** Lines in a request now, or in an append to the spool (in the order they were taken). */
  private readonly transit = new Set<string[]>();
  /** Set when closeBy() gave up waiting: a late pass must leave the spool and queue alone. */
  private abandoned = false;
  private written = 0;
  private rejected = 0;
  private rejectedUnflushed: string | null = null;
  private refused = 0;
  private connected = true;
  private lastError: string | null = null;
  private retryDelay: number;
  private nextRetryAt = 0;
  /** Largest request the server took when it answered 413; otherwise batchSize. */
  private chunkLimit: number;

  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;
  private fullPassQueued = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  private spool: Spool | null = null;
  private readonly opening: Promise<Spool>;
  private readonly spoolPath: string;

  /**
   * Open a sink: takes the spool folder (in the background) and starts delivering whatever an
   * earlier run left there. Does not contact the server (checkReachable() does). Throws
   * ConfigError on bad options; a spool folder that cannot be opened makes checkReachable()
   * and flush() reject (use InfluxSink.open() to wait for it up front).
   */
  constructor(opts: InfluxSinkOptions) {
    const positive = (name: keyof InfluxSinkOptions) => {
      const v = opts[name];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)) {
        throw new ConfigError(`InfluxSink option ${name} must be a positive number, got ${String(v)}`);
      }
    };
    for (const k of ['batchSize', 'flushIntervalMs', 'writeTimeoutMs', 'retryMinMs', 'retryMaxMs', 'maxPendingPoints', 'spoolSegmentLines', 'maxInFlight'] as const) {
      positive(k);
    }
    if (!opts.database) throw new ConfigError('InfluxSink needs a database name');
    if (!opts.spoolDir) throw new ConfigError('InfluxSink needs a spool folder');
    this.target = parseInfluxUrl(opts.url);
    this.url = this.target.shown;
    this.database = opts.database;
    this.batchSize = Math.floor(opts.batchSize ?? 5000);
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 10_000;
    this.retryMinMs = opts.retryMinMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 5000;
    this.maxPending = opts.maxPendingPoints ?? 20 * this.batchSize;
    this.maxInFlight = Math.floor(opts.maxInFlight ?? 3);
    const formatter = new LineFormatter({ integerFields: opts.integerFields ?? RANLAB_INTEGER_FIELDS, defaultTags: opts.defaultTags });
    this.intake = new Intake(formatter, this.batchSize, { lines: (l) => this.queueLines(l), refused: (p, e) => this.refusePoint(p, e) });
    this.retentionPolicy = opts.retentionPolicy;
    this.retryDelay = this.retryMinMs;
    this.chunkLimit = this.batchSize;
    this.spoolPath = resolve(opts.spoolDir);
    this.opening = Spool.open(this.spoolPath, opts.spoolSegmentLines ?? Math.max(50_000, this.batchSize));
    this.opening.then(
      (spool) => {
        this.spool = spool;
        if (this.closed) return;
        if (!spool.isEmpty) void this.schedule('all', false);
      },
      (err: unknown) => {
        this.lastError = (err as Error).message;
        log.error({ err, spoolDir: this.spoolPath }, 'cannot open the spool folder');
      },
    );
    this.timer = setInterval(() => this.tick(), opts.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** A sink whose spool folder is open (errors from opening it are thrown here). */
  static async open(opts: InfluxSinkOptions): Promise<InfluxSink> {
    const sink = new InfluxSink(opts);
    try {
      await sink.opening;
    } catch (err) {
      clearInterval(sink.timer);
      sink.closed = true;
      throw err;
    }
    return sink;
  }

  get spoolDir(): string {
    return this.spoolPath;
  }

  /** The open spool; only called after `await this.opening` succeeded. */
  private get sp(): Spool {
    return this.spool!;
  }

  /** Counters for the progress display. */
  stats(): SinkStats {
    return {
      accepted: this.acceptedSeq + this.intake.pending,
      written: this.written,
      pending: this.buffer.length + this.inFlight + this.intake.pending,
      spooled: this.spool?.points ?? 0,
      rejected: this.rejected,
      refused: this.refused,
      connected: this.connected,
      lastError: this.lastError,
    };
  }

  private get inFlight(): number {
    let n = 0;
    for (const lines of this.transit) n += lines.length;
    return n;
  }

  /** Ping and database check against this sink's server (see checkInfluxReachable). */
  async checkReachable(timeoutMs = 3000): Promise<void> {
    await this.opening;
    await checkInfluxReachable(this.target, this.database, timeoutMs);
  }

  write(points: Point[]): void {
    try {
      if (this.closed) {
        this.refused += points.length;
        log.warn({ points: points.length }, 'points written after the sink was closed; refused');
        return;
      }
      this.intake.write(points);
    } catch (err) {
      // write() must never throw into a measurement loop.
      log.error({ err }, 'unexpected error in InfluxSink.write');
    }
  }

  /** Formatted lines join the queue (called by the intake, in order). */
  private queueLines(lines: string[]): void {
    for (const line of lines) this.buffer.push(line);
    this.acceptedSeq += lines.length;
    if (this.buffer.length >= this.batchSize) this.wake?.();
    if (this.buffer.length >= this.batchSize || (this.buffer.length > this.maxPending && this.spool !== null && !this.spool.isEmpty)) {
      void this.schedule('full', false);
    }
  }

  private refusePoint(p: Point, err: Error): void {
    this.refused++;
    if (this.refused <= 10 || this.refused % 1000 === 0) {
      log.warn({ measurement: (p as Partial<Point>)?.measurement, reason: err.message, refused: this.refused }, 'invalid point refused');
    }
  }

  /**
   * Resolves when every point accepted before the call is in the database. Tries the server
   * once now (whatever the backoff); if it cannot be reached, rejects with
   * ComponentError('influx', ...) and the points stay spooled, to be delivered later.
   */
  async flush(): Promise<void> {
    this.intake.drain();
    const target = this.acceptedSeq;
    const result = await this.schedule('all', true);
    if (!result.ok || this.deliveredSeq < target || this.spool === null || this.spool.hasLeftover) {
      const spooled = this.spool?.points ?? 0;
      const inMemory = this.buffer.length > 0 ? ` (${this.buffer.length} more only in memory)` : '';
      throw new ComponentError(
        'influx',
        `write to ${this.url} failed (${result.error ?? this.lastError ?? 'unknown'}); ${spooled} points kept in spool ${this.spoolPath}${inMemory}, delivered when the server is back`,
        'INFLUX_WRITE_FAILED',
      );
    }
    if (this.rejectedUnflushed) {
      const msg = this.rejectedUnflushed;
      this.rejectedUnflushed = null;
      throw new ComponentError('influx', msg, 'INFLUX_REJECTED');
    }
  }

  /** Flush, stop the timer and release the spool. Rejects like flush(); the spool stays on disk. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      // Anything still in memory (the spool could not be written either) is lost with the
      // process: say so loudly.
      await this.chain.catch(() => undefined);
      if (this.buffer.length > 0) log.error({ points: this.buffer.length }, 'points neither written nor spooled at close');
      await this.spool?.release();
    }
  }

  /**
   * Close by an absolute deadline (Date.now() ms): flush while time allows; at the deadline,
   * whatever is still in memory or in a request goes to the spool at once (a request the server
   * answers late may then be written twice, which InfluxDB absorbs: same series and time).
   * `sooner`, when it resolves first, ends the wait early. Never throws; says what was left
   * unwritten and where it waits.
   */
  async closeBy(deadline: number, sooner?: Promise<unknown>): Promise<CloseOutcome> {
    this.intake.drain();
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.timer);
    }
    let error: string | null = null;
    let timedOut = false;
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.flush(),
        new Promise<never>((_, reject) => {
          const giveUp = () => {
            timedOut = true;
            reject(new Error(`no answer from ${this.url} by the teardown deadline`));
          };
          t = setTimeout(giveUp, Math.max(0, deadline - Date.now()));
          // A deadline brought nearer (a second Ctrl-C) ends the wait early.
          void sooner?.then(giveUp);
        }),
      ]);
    } catch (err) {
      error = (err as Error).message;
    } finally {
      clearTimeout(t);
    }
    if (timedOut) {
      this.abandoned = true;
      const lines = [...this.transit].flat().concat(this.buffer);
      this.buffer = [];
      this.transit.clear();
      if (lines.length > 0 && this.spool) {
        try {
          this.spool.appendNow(lines);
        } catch (err) {
          this.buffer = lines;
          error = `${error}; cannot write spool in ${this.spoolPath}: ${(err as Error).message}`;
        }
      } else if (lines.length > 0) this.buffer = lines;
    } else if (error === null) {
      await this.chain.catch(() => undefined);
    }
    const lost = this.buffer.length;
    if (lost > 0) log.error({ points: lost }, 'points neither written nor spooled at close');
    const spooled = this.spool?.points ?? 0;
    await this.spool?.release();
    return { written: this.written, spooled, lost, rejected: this.rejected, error, spoolDir: this.spoolPath };
  }

  private tick(): void {
    if (this.busy || this.closed) return;
    if (this.buffer.length === 0 && (this.spool === null || this.spool.isEmpty)) return;
    void this.schedule('all', false);
  }

  /** Queue a delivery pass behind any running one. A 'full' pass is queued at most once. */
  private schedule(mode: Mode, force: boolean): Promise<PassResult> {
    if (mode === 'full' && !force) {
      if (this.fullPassQueued) return Promise.resolve({ ok: true });
      this.fullPassQueued = true;
    }
    const run = this.chain.then(async () => {
      if (mode === 'full' && !force) this.fullPassQueued = false;
      this.busy = true;
      try {
        return await this.pass(mode, force);
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

  /** One delivery pass: the spool first (in order), then the memory queue. */
  private async pass(mode: Mode, force: boolean): Promise<PassResult> {
    try {
      await this.opening;
    } catch (err) {
      return { ok: false, error: `spool folder unusable: ${(err as Error).message}` };
    }
    for (;;) {
      if (!this.sp.isEmpty) {
        if (!force && Date.now() < this.nextRetryAt) {
          // Down and waiting to retry: nothing may overtake what waits on disk.
          await this.spillAll();
          return { ok: false, error: this.lastError ?? 'waiting to retry' };
        }
        const r = await this.drainSpool();
        if (!r.ok) {
          await this.spillAll();
          return r;
        }
      }
      if (this.buffer.length === 0) return { ok: true };
      if (this.buffer.length > (this.connected ? 20 * this.maxPending : this.maxPending)) {
        // The server is failing (or slower than the measurements for good): hold the backlog
        // on disk, not in memory.
        await this.spillAll();
        if (this.buffer.length > 0) return { ok: false, error: this.lastError ?? 'spool write failed' };
        continue;
      }
      if (mode === 'full' && this.buffer.length < this.batchSize) return { ok: true };
      const r = await this.sendQueued(mode);
      if (!r.ok) return r;
    }
  }

  /**
   * Send queued batches, up to maxInFlight at once, until too few are queued (mode 'full') or
   * none (mode 'all'), or a request fails; then the failed batches go to the spool in order,
   * followed by everything queued.
   */
  private async sendQueued(mode: Mode): Promise<PassResult> {
    interface Sent {
      lines: string[];
      lastSeq: number;
      done: Promise<Sent>;
      result?: BatchResult;
    }
    const window: Sent[] = [];
    const running = new Set<Sent>();
    let failure: string | null = null;
    for (;;) {
      while (failure === null && running.size < this.maxInFlight && this.buffer.length > 0 && (mode === 'all' || this.buffer.length >= this.batchSize)) {
        const n = Math.min(this.batchSize, this.chunkLimit, this.buffer.length);
        const lastSeq = this.acceptedSeq - this.buffer.length + n;
        const lines = this.buffer.splice(0, n);
        this.transit.add(lines);
        const sent: Sent = { lines, lastSeq, done: null as unknown as Promise<Sent> };
        sent.done = this.sendBatch(lines).then((r) => ((sent.result = r), sent));
        window.push(sent);
        running.add(sent);
      }
      if (running.size === 0) break;
      const woken = new Promise<null>((r) => (this.wake = () => r(null)));
      const sent = await Promise.race([...[...running].map((x) => x.done), woken]);
      this.wake = null;
      if (sent === null) continue;
      running.delete(sent);
      this.transit.delete(sent.lines);
      if (this.abandoned) return { ok: false, error: 'abandoned at the teardown deadline' };
      if (!sent.result!.ok) failure ??= sent.result!.error;
      // Delivered up to the first batch not yet written.
      while (window.length > 0 && window[0]!.result?.ok) this.deliveredSeq = Math.max(this.deliveredSeq, window.shift()!.lastSeq);
    }
    if (failure === null) return { ok: true };
    this.wentDown(failure);
    // What failed, in order; the spool's last segment then stands for every batch in the window
    // (the ones that succeeded after a failure are delivered when it is).
    const unsent = window.flatMap((x) => (x.result!.ok ? [] : x.result!.unsent));
    const lastSeq = Math.max(...window.map((x) => x.lastSeq));
    this.transit.add(unsent);
    try {
      await this.sp.append(unsent, lastSeq);
    } catch (err) {
      this.buffer = unsent.concat(this.buffer);
      return this.spoolFailed(err);
    } finally {
      this.transit.delete(unsent);
    }
    await this.spillAll();
    return { ok: false, error: failure };
  }

  /** One batch to the server, halved while it is too large; a refused part is quarantined. */
  private async sendBatch(lines: string[]): Promise<BatchResult> {
    let at = 0;
    while (at < lines.length) {
      const part = lines.slice(at, at + this.chunkLimit);
      const outcome = await writeLines(this.target, this.database, part, { timeoutMs: this.writeTimeoutMs, retentionPolicy: this.retentionPolicy });
      if (this.abandoned) return { ok: false, error: 'abandoned at the teardown deadline', unsent: lines.slice(at) };
      if (outcome.kind === 'tooLarge') {
        this.chunkLimit = Math.max(1, Math.min(this.chunkLimit, Math.ceil(part.length / 2)));
        continue;
      }
      if (outcome.kind === 'failed') return { ok: false, error: outcome.message, unsent: lines.slice(at) };
      if (outcome.kind === 'rejected') await this.quarantine(part, outcome);
      else {
        this.written += part.length;
        this.cameBack();
      }
      at += part.length;
    }
    return { ok: true };
  }

  /** Deliver the spool, oldest first. False (and backoff armed) when the server fails. */
  private async drainSpool(): Promise<PassResult> {
    let sent = 0;
    while (!this.sp.isEmpty) {
      let lines: string[];
      try {
        lines = await this.sp.peek(Math.min(this.batchSize, this.chunkLimit));
      } catch (err) {
        return this.spoolFailed(err);
      }
      if (lines.length === 0) {
        await this.sp.advance(0);
        continue;
      }
      const outcome: WriteOutcome = await writeLines(this.target, this.database, lines, {
        timeoutMs: this.writeTimeoutMs,
        retentionPolicy: this.retentionPolicy,
      });
      if (this.abandoned) return { ok: false, error: 'abandoned at the teardown deadline' };
      if (outcome.kind === 'tooLarge') {
        this.chunkLimit = Math.ceil(lines.length / 2);
        continue;
      }
      if (outcome.kind === 'failed') {
        this.wentDown(outcome.message);
        return { ok: false, error: outcome.message };
      }
      if (outcome.kind === 'rejected') await this.quarantine(lines, outcome);
      else {
        this.written += lines.length;
        sent += lines.length;
      }
      const done = await this.sp.advance(lines.length);
      if (done > 0) this.deliveredSeq = Math.max(this.deliveredSeq, done);
    }
    this.cameBack();
    if (sent > 0) log.info({ points: sent }, 'spooled points delivered');
    return { ok: true };
  }

  /** Move everything queued in memory to the spool (one durable append). */
  private async spillAll(): Promise<void> {
    if (this.buffer.length === 0) return;
    const lines = this.buffer;
    const lastSeq = this.acceptedSeq;
    this.buffer = [];
    // Counted as pending (in transit to disk) until the append is durable.
    this.transit.add(lines);
    try {
      await this.sp.append(lines, lastSeq);
    } catch (err) {
      // Keep them in memory (ahead of anything written meanwhile) and report.
      this.buffer = lines.concat(this.buffer);
      this.spoolFailed(err);
    } finally {
      this.transit.delete(lines);
    }
  }

  private async quarantine(lines: string[], outcome: Extract<WriteOutcome, { kind: 'rejected' }>): Promise<void> {
    // A 400 is a partial write: the server kept the points it could; the rest are refused
    // for good (retrying would block the spool forever). Keep the whole request for a person.
    this.rejected += outcome.dropped;
    this.written += lines.length - outcome.dropped;
    let where = '';
    try {
      where = await this.sp.reject(lines, outcome.message);
    } catch (err) {
      log.error({ err }, 'cannot save refused points');
    }
    const msg = `${outcome.dropped} points refused by ${this.url} (${outcome.message}); the request is kept in ${where || 'nowhere (could not write it)'}`;
    log.error({ dropped: outcome.dropped, reason: outcome.message, file: where }, 'points refused by the server');
    this.rejectedUnflushed = msg;
  }

  private wentDown(message: string): void {
    this.lastError = message;
    this.nextRetryAt = Date.now() + this.retryDelay;
    this.retryDelay = Math.min(this.retryMaxMs, this.retryDelay * 2);
    if (this.connected) {
      this.connected = false;
      log.warn({ url: this.url, reason: message, spoolDir: this.spoolPath }, 'InfluxDB write failed; spooling to disk');
    }
  }

  private cameBack(): void {
    this.retryDelay = this.retryMinMs;
    this.nextRetryAt = 0;
    if (!this.connected) {
      this.connected = true;
      log.info({ url: this.url }, 'InfluxDB writes succeed again');
    }
  }

  private spoolFailed(err: unknown): PassResult {
    const message = `cannot write spool in ${this.spoolPath}: ${(err as Error).message}`;
    this.lastError = message;
    log.error({ err, pending: this.buffer.length }, 'spool write failed; points kept in memory');
    return { ok: false, error: message };
  }
}
