// The on-disk spool of an InfluxSink: line protocol that could not be written yet, kept in
// order in numbered segment files (000000000001.lp, ...) and delivered oldest first. Lines
// are appended whole (each write ends with a newline and is fsynced), so a crash can leave at
// most one partial last line, which opening drops. A segment is deleted once delivered; a crash
// half way through one re-sends its first part, which InfluxDB absorbs (a point with the same
// measurement, tags and timestamp overwrites itself).
import { mkdir, open, readdir, readFile, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ComponentError, ConfigError } from '../errors.js';
import { childLog } from '../log.js';
import { pidAlive } from '../proc/index.js';

const log = childLog('influx');

const SEGMENT_RE = /^(\d{12})\.lp$/;
const LOCK = '.lock';
/** Lines the server refused (HTTP 400) go here, for a person to look at; never replayed. */
export const REJECTED_FILE = 'rejected.lp';

interface Segment {
  seq: number;
  file: string;
  lines: number;
  /** Lines of this segment already delivered (in memory only). */
  delivered: number;
  /** Highest sink sequence number appended in this run; 0 for a segment left by an earlier run. */
  lastSeq: number;
}

const openDirs = new Set<string>();

async function appendDurably(file: string, text: string): Promise<void> {
  const fh = await open(file, 'a');
  try {
    await fh.write(text);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

export class Spool {
  readonly dir: string;
  private segments: Segment[] = [];
  private nextSeq = 1;
  private headCache: { seq: number; lines: string[] } | null = null;
  private released = false;

  private constructor(
    dir: string,
    private readonly segmentMaxLines: number,
  ) {
    this.dir = dir;
  }

  /** Open (creating) a spool folder, take its lock, and index segments left by an earlier run. */
  static async open(dir: string, segmentMaxLines = 50_000): Promise<Spool> {
    const abs = resolve(dir);
    if (openDirs.has(abs)) throw new ConfigError(`spool folder ${abs} is already used by another sink in this process`, 'SPOOL_IN_USE');
    try {
      await mkdir(abs, { recursive: true });
    } catch (err) {
      throw new ComponentError('influx', `cannot create spool folder ${abs}: ${(err as Error).message}`, 'SPOOL_FAILED', { cause: err });
    }
    const lockFile = join(abs, LOCK);
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new ConfigError(
          `spool folder ${abs} is in use by process ${pid} (remove ${lockFile} if that process is not ranlab)`,
          'SPOOL_IN_USE',
        );
      }
      // A lock left by a process that is gone (a crash): take it over.
      await writeFile(lockFile, String(process.pid));
    }
    openDirs.add(abs);
    const spool = new Spool(abs, segmentMaxLines);
    try {
      await spool.scan();
    } catch (err) {
      await spool.release();
      throw err;
    }
    return spool;
  }

  private async scan(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    for (const name of names) {
      const seq = Number(SEGMENT_RE.exec(name)![1]);
      const file = join(this.dir, name);
      let text = await readFile(file, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) {
        // A crash in the middle of an append: the partial last line was never acknowledged.
        const keep = text.lastIndexOf('\n') + 1;
        log.warn({ file, bytes: Buffer.byteLength(text.slice(keep)) }, 'spool segment ends in a partial line (crash while appending); dropping it');
        await truncate(file, Buffer.byteLength(text.slice(0, keep)));
        text = text.slice(0, keep);
      }
      const lines = splitLines(text).length;
      if (lines === 0) {
        await rm(file, { force: true });
        continue;
      }
      this.segments.push({ seq, file, lines, delivered: 0, lastSeq: 0 });
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
    if (this.segments.length > 0) {
      log.info({ dir: this.dir, segments: this.segments.length, points: this.points }, 'spool left by an earlier run; delivering it');
    }
  }

  /** Points on disk not yet delivered. */
  get points(): number {
    let n = 0;
    for (const s of this.segments) n += s.lines - s.delivered;
    return n;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /** True while segments written by an earlier run remain. */
  get hasLeftover(): boolean {
    return this.segments.some((s) => s.lastSeq === 0);
  }

  /** Append lines (already in order after everything spooled) and make them durable. */
  async append(lines: string[], lastSeq: number): Promise<void> {
    if (lines.length === 0) return;
    let tail = this.segments[this.segments.length - 1];
    // Never append to a segment from an earlier run (its lastSeq of 0 marks it as leftover),
    // nor to one that is full.
    if (!tail || tail.lastSeq === 0 || tail.lines + lines.length > this.segmentMaxLines) {
      const seq = this.nextSeq++;
      tail = { seq, file: join(this.dir, String(seq).padStart(12, '0') + '.lp'), lines: 0, delivered: 0, lastSeq };
      this.segments.push(tail);
    }
    try {
      await appendDurably(tail.file, lines.join('\n') + '\n');
    } catch (err) {
      if (tail.lines === 0) this.segments.pop();
      throw err;
    }
    tail.lines += lines.length;
    tail.lastSeq = Math.max(tail.lastSeq, lastSeq);
    if (this.headCache?.seq === tail.seq) this.headCache = null;
  }

  /**
   * Append lines in a segment of their own, synchronously: for the last moment of a teardown,
   * when an asynchronous append might not finish before the process ends.
   */
  appendNow(lines: string[]): void {
    if (lines.length === 0) return;
    const seq = this.nextSeq++;
    const file = join(this.dir, String(seq).padStart(12, '0') + '.lp');
    const fd = openSync(file, 'a');
    try {
      writeSync(fd, lines.join('\n') + '\n');
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.segments.push({ seq, file, lines: lines.length, delivered: 0, lastSeq: 0 });
  }

  /** Up to `max` undelivered lines from the head segment, oldest first (empty when the spool is). */
  async peek(max: number): Promise<string[]> {
    const head = this.segments[0];
    if (!head) return [];
    if (this.headCache?.seq !== head.seq) {
      const lines = splitLines(await readFile(head.file, 'utf8'));
      // The index is the authority: a file shorter than expected was damaged from outside.
      if (lines.length !== head.lines) head.lines = lines.length;
      this.headCache = { seq: head.seq, lines };
    }
    return this.headCache.lines.slice(head.delivered, head.delivered + max);
  }

  /**
   * The first `n` lines that peek returned are dealt with. Returns the sink sequence number
   * now fully delivered (non-zero when a segment of this run was finished), else 0.
   */
  async advance(n: number): Promise<number> {
    const head = this.segments[0];
    if (!head) return 0;
    head.delivered += n;
    if (head.delivered < head.lines) return 0;
    this.segments.shift();
    this.headCache = null;
    await rm(head.file, { force: true });
    return head.lastSeq;
  }

  /** Keep lines the server refused, with the reason, outside the replayed segments. */
  async reject(lines: string[], reason: string): Promise<string> {
    const file = join(this.dir, REJECTED_FILE);
    const header = `# ${new Date().toISOString()} refused by the server: ${reason.replace(/[\r\n]+/g, ' ')}\n`;
    await appendDurably(file, header + lines.join('\n') + '\n');
    return file;
  }

  /** Bytes on disk in segment files (for the progress display). */
  async bytes(): Promise<number> {
    let n = 0;
    for (const s of this.segments) n += (await stat(s.file).catch(() => ({ size: 0 }))).size;
    return n;
  }

  /** Give up the lock; segments stay on disk for the next run. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    openDirs.delete(this.dir);
    await rm(join(this.dir, LOCK), { force: true });
  }
}

function splitLines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}
