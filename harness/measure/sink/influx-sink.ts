// InfluxSink: the MeasurementSink that streams points to InfluxDB 1.x.
//
// write() serializes points to line protocol (series keys escaped once per tag set, see
// ../formatter.ts) and queues them in memory; it never blocks and never throws. The delivery
// loop (delivery.ts) sends batches of `batchSize` points as soon as that many are queued, up to
// `maxInFlight` requests at once (inflight.ts), and whatever is queued every `flushIntervalMs`.
// A burst stays in memory while the server keeps answering. When a write fails (server down,
// timeout, 5xx) the failed batches are appended to the spool on disk, and from then on
// everything queued goes to the spool behind them (spill.ts), until the spool has been
// delivered (drain.ts, retried with backoff.ts, oldest first). Unlike Telegraf's buffer,
// nothing accepted is ever overwritten or dropped.
import { ComponentError } from '../../errors.js';
import { checkInfluxReachable } from '../client.js';
import { LineFormatter } from '../formatter.js';
import { Intake } from './intake.js';
import type { MeasurementSink, Point } from '../types.js';
import { closeByDeadline } from './close.js';
import { log, SinkCore } from './core.js';
import { DeliveryLoop } from './delivery.js';
import { sinkSettings } from './settings.js';
import type { CloseOutcome, InfluxSinkOptions, SinkStats } from './types.js';

export class InfluxSink implements MeasurementSink {
  readonly url: string;
  readonly database: string;
  private readonly core: SinkCore;
  private readonly loop: DeliveryLoop;
  private readonly intake: Intake;
  private readonly timer: NodeJS.Timeout;

  /**
   * Open a sink: takes the spool folder (in the background) and starts delivering whatever an
   * earlier run left there. Does not contact the server (checkReachable() does). Throws
   * ConfigError on bad options; a spool folder that cannot be opened makes checkReachable()
   * and flush() reject (use InfluxSink.open() to wait for it up front).
   */
  constructor(opts: InfluxSinkOptions) {
    const s = sinkSettings(opts);
    this.url = s.url;
    this.database = s.database;
    const core = (this.core = new SinkCore(s));
    this.loop = new DeliveryLoop(core);
    const formatter = new LineFormatter({ integerFields: s.integerFields, defaultTags: s.defaultTags });
    this.intake = new Intake(formatter, s.batchSize, { lines: (l) => this.queueLines(l), refused: (p, e) => this.refusePoint(p, e) });
    core.opening.then(
      (spool) => {
        core.spool = spool;
        if (core.closed) return;
        if (!spool.isEmpty) void this.loop.schedule('all', false);
      },
      (err: unknown) => {
        core.health.lastError = (err as Error).message;
        log.error({ err, spoolDir: s.spoolPath }, 'cannot open the spool folder');
      },
    );
    this.timer = setInterval(() => this.loop.tick(), s.flushIntervalMs);
    this.timer.unref();
  }

  /** A sink whose spool folder is open (errors from opening it are thrown here). */
  static async open(opts: InfluxSinkOptions): Promise<InfluxSink> {
    const sink = new InfluxSink(opts);
    try {
      await sink.core.opening;
    } catch (err) {
      clearInterval(sink.timer);
      sink.core.closed = true;
      throw err;
    }
    return sink;
  }

  get spoolDir(): string {
    return this.core.s.spoolPath;
  }

  /** Counters for the progress display. */
  stats(): SinkStats {
    const { queue, health } = this.core;
    return {
      accepted: queue.acceptedSeq + this.intake.pending,
      written: this.core.written,
      pending: queue.buffer.length + queue.inFlight + this.intake.pending,
      spooled: this.core.spool?.points ?? 0,
      rejected: this.core.rejected,
      refused: this.core.refused,
      connected: health.connected,
      lastError: health.lastError,
    };
  }

  /** Ping and database check against this sink's server (see checkInfluxReachable). */
  async checkReachable(timeoutMs = 3000): Promise<void> {
    await this.opened();
    await checkInfluxReachable(this.core.s.target, this.database, timeoutMs);
  }

  /** Resolves once the spool is open, rejecting as checkReachable() does when it cannot be; contacts nobody. */
  async opened(): Promise<void> {
    await this.core.opening;
  }

  write(points: Point[]): void {
    try {
      if (this.core.closed) {
        this.core.refused += points.length;
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
    const { queue, s, spool } = this.core;
    queue.push(lines);
    if (queue.buffer.length >= s.batchSize) this.core.wake?.();
    if (queue.buffer.length >= s.batchSize || (queue.buffer.length > s.maxPending && spool !== null && !spool.isEmpty)) {
      void this.loop.schedule('full', false);
    }
  }

  private refusePoint(p: Point, err: Error): void {
    const refused = ++this.core.refused;
    if (refused <= 10 || refused % 1000 === 0) {
      log.warn({ measurement: (p as Partial<Point>)?.measurement, reason: err.message, refused }, 'invalid point refused');
    }
  }

  /**
   * Resolves when every point accepted before the call is in the database. Tries the server
   * once now (whatever the backoff); if it cannot be reached, rejects with
   * ComponentError('influx', ...) and the points stay spooled, to be delivered later.
   */
  async flush(): Promise<void> {
    this.intake.drain();
    const core = this.core;
    const target = core.queue.acceptedSeq;
    const result = await this.loop.schedule('all', true);
    if (!result.ok || core.queue.deliveredSeq < target || core.spool === null || core.spool.hasLeftover) {
      const spooled = core.spool?.points ?? 0;
      const buffered = core.queue.buffer.length;
      const inMemory = buffered > 0 ? ` (${buffered} more only in memory)` : '';
      throw new ComponentError(
        'influx',
        `write to ${this.url} failed (${result.error ?? core.health.lastError ?? 'unknown'}); ${spooled} points kept in spool ${core.s.spoolPath}${inMemory}, delivered when the server is back`,
        'INFLUX_WRITE_FAILED',
      );
    }
    if (core.rejectedUnflushed) {
      const msg = core.rejectedUnflushed;
      core.rejectedUnflushed = null;
      throw new ComponentError('influx', msg, 'INFLUX_REJECTED');
    }
  }

  /** Flush, stop the timer and release the spool. Rejects like flush(); the spool stays on disk. */
  async close(): Promise<void> {
    if (this.core.closed) return;
    this.core.closed = true;
    clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      // Anything still in memory (the spool could not be written either) is lost with the
      // process: say so loudly.
      await this.loop.settled();
      const left = this.core.queue.buffer.length;
      if (left > 0) log.error({ points: left }, 'points neither written nor spooled at close');
      await this.core.spool?.release();
    }
  }

  /**
   * Close by an absolute deadline (Date.now() ms); see close.ts. `sooner`, when it resolves
   * first, ends the wait early. Never throws; says what was left unwritten and where it waits.
   */
  async closeBy(deadline: number, sooner?: Promise<unknown>): Promise<CloseOutcome> {
    this.intake.drain();
    if (!this.core.closed) {
      this.core.closed = true;
      clearInterval(this.timer);
    }
    return closeByDeadline(this.core, this.loop, () => this.flush(), deadline, sooner);
  }
}
