// One process-wide lock around UHD calls, because UHD keeps one process-wide "last error"
// string that *every* C API call rewrites ("None" on success, set under UHD_SAFE_C). A call
// that reports through it (find, make, free, handle makers, the version) must run alone, from
// the C call until its message is read, or another call's "None" replaces the message.
// Calls on an open device report through that device's own string (uhd_usrp_last_error),
// so they may overlap each other, but never a call that reads the global string.
//
// - `exclusive`: runs alone. `shared`: runs beside other shared tasks, never beside exclusive.
// - First come, first served: a waiting exclusive task holds back later shared ones.
// - The lock lives on globalThis, so every copy of this module in the process (dist/ and
//   source, a test's fresh module graph) uses the same one: they share one libuhd.

export type UhdLockMode = 'exclusive' | 'shared';

export class UhdCallLock {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waiting: { mode: UhdLockMode; enter: () => void }[] = [];

  /** Run `task` holding the lock in `mode`; the lock is released however the task ends. */
  async run<T>(mode: UhdLockMode, task: () => Promise<T> | T): Promise<T> {
    await this.acquire(mode);
    try {
      return await task();
    } finally {
      this.release(mode);
    }
  }

  /** True while no task holds or waits for the lock. */
  get idle(): boolean {
    return !this.exclusiveHeld && this.sharedHolders === 0 && this.waiting.length === 0;
  }

  private canEnter(mode: UhdLockMode): boolean {
    return mode === 'shared' ? !this.exclusiveHeld : !this.exclusiveHeld && this.sharedHolders === 0;
  }

  private take(mode: UhdLockMode): void {
    if (mode === 'shared') this.sharedHolders++;
    else this.exclusiveHeld = true;
  }

  private acquire(mode: UhdLockMode): Promise<void> {
    if (this.waiting.length === 0 && this.canEnter(mode)) {
      this.take(mode);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ mode, enter: resolve }));
  }

  private release(mode: UhdLockMode): void {
    if (mode === 'shared') this.sharedHolders--;
    else this.exclusiveHeld = false;
    while (this.waiting.length > 0 && this.canEnter(this.waiting[0]!.mode)) {
      const next = this.waiting.shift()!;
      this.take(next.mode);
      next.enter();
    }
  }
}

const KEY = Symbol.for('ranlab.native.uhd.callLock');
type LockHolder = { [KEY]?: UhdCallLock };

/** The process's UHD call lock (one per process, whichever copy of this module asks). */
export function uhdCallLock(): UhdCallLock {
  const holder = globalThis as LockHolder;
  return (holder[KEY] ??= new UhdCallLock());
}

/** Run tasks one at a time, in order (a failed task does not stop the queue). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
