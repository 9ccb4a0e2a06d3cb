// A lock per rig on this controller host, so two runs from this host never drive one rig at
// once (the lab's CI holds the lab-wide lock). The kernel's flock(2) on a file per rig: it is
// released when the holder exits however it exits, so a holder killed with -9 leaves a stale
// record that the next run takes over. The file holds the holder's pid, start time and command,
// which a refused run names.
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadLibrary } from '../../native/index.js';
import { ComponentError } from '../errors.js';
import { pidAlive } from '../proc/index.js';

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

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

function flock(fd: number, op: number): boolean {
  const f = loadLibrary('libc', ['libc.so.6']).fn('int flock(int fd, int operation)');
  return (f(fd, op) as number) === 0;
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
    readonly path: string,
    private fd: number | null,
    /** The holder whose lock was taken over (it had died without releasing), if any. */
    readonly tookOverFrom: LockHolder | null,
  ) {}

  /** Wait up to timeoutMs for the rig; throws RigBusyError naming the holder after that. */
  static async acquire(dir: string, rig: string, opts: { timeoutMs: number; pollMs?: number; command: string; onWait?: (holder: LockHolder | null) => void }): Promise<RigLock> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${rig}.lock`);
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    const start = Date.now();
    let told = false;
    try {
      for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB)) {
          const previous = readHolder(path);
          const stale = previous && previous.pid !== process.pid && !running(previous.pid) ? previous : null;
          const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: opts.command };
          ftruncateSync(fd, 0);
          writeSync(fd, JSON.stringify(me) + '\n', 0);
          return new RigLock(path, fd, stale);
        }
        const holder = readHolder(path);
        if (Date.now() - start >= opts.timeoutMs) throw new RigBusyError(rig, holder, Date.now() - start);
        if (!told) opts.onWait?.(holder);
        told = true;
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  release(): void {
    if (this.fd === null) return;
    ftruncateSync(this.fd, 0);
    flock(this.fd, LOCK_UN);
    closeSync(this.fd);
    this.fd = null;
  }
}
