// A lock per rig on this controller host, so two runs from this host never drive one rig at
// once (the lab's CI holds the lab-wide lock). The lock itself is harness/proc's exclusive
// lock, which the kernel releases when its holder dies however it dies; beside it a record file
// per rig names the holder (pid, start time, command) for a run that is refused, and a record
// whose process is gone tells the next holder whose lock it took over.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ComponentError } from '../errors.js';
import { acquireExclusive, pidAlive, type ExclusiveLock } from '../proc/index.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/** The rig is held by another run from this host, past the time we were willing to wait. Exit 3. */
export class RigBusyError extends ComponentError {
  constructor(
    rig: string,
    readonly holder: LockHolder | null,
    waitedMs: number,
  ) {
    const who = holder ? `pid ${holder.pid} (${holder.command}), started ${holder.startedAt}` : 'another process (no record)';
    super(rig, `rig in use by ${who}; waited ${(waitedMs / 1000).toFixed(1)} s`, 'RIG_LOCKED');
  }
}

/** Alive and not a zombie (a holder killed with -9 may not be reaped yet by its parent). */
function running(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : null;
  } catch {
    return null; // empty (released) or being written
  }
}

export class RigLock {
  private constructor(
    /** The record file naming the holder. */
    readonly path: string,
    private lock: ExclusiveLock | null,
    /** The holder whose lock was taken over (it had died without releasing), if any. */
    readonly tookOverFrom: LockHolder | null,
  ) {}

  /** Wait up to timeoutMs for the rig; throws RigBusyError naming the holder after that. */
  static async acquire(dir: string, rig: string, opts: { timeoutMs: number; pollMs?: number; command: string; onWait?: (holder: LockHolder | null) => void }): Promise<RigLock> {
    mkdirSync(dir, { recursive: true });
    const path = resolve(join(dir, `${rig}.lock`));
    const start = Date.now();
    let lock: ExclusiveLock;
    try {
      lock = await acquireExclusive(`rig:${path}`, { signal: AbortSignal.timeout(opts.timeoutMs), pollMs: opts.pollMs, onWait: () => opts.onWait?.(readHolder(path)) });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new RigBusyError(rig, readHolder(path), Date.now() - start);
      throw err;
    }
    const previous = readHolder(path);
    const stale = previous && previous.pid !== process.pid && !running(previous.pid) ? previous : null;
    const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: opts.command };
    writeFileSync(path, JSON.stringify(me) + '\n');
    return new RigLock(path, lock, stale);
  }

  async release(): Promise<void> {
    if (!this.lock) return;
    writeFileSync(this.path, '');
    await this.lock.release();
    this.lock = null;
  }
}
