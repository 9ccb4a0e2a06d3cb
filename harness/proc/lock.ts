// An exclusive lock between processes on this host that the kernel releases when its holder
// dies, however it dies: a listening socket in Linux's abstract namespace (no file to go
// stale). Binding is atomic, so two processes can never both hold it.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { sleep } from './util.js';

export interface ExclusiveLock {
  /** What the lock is for (the key it was taken with). */
  key: string;
  release(): Promise<void>;
}

function tryBind(name: string): Promise<Server | null> {
  return new Promise((resolve, reject) => {
    const srv = createServer((sock) => sock.destroy());
    srv.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    srv.listen(name, () => {
      srv.unref();
      resolve(srv);
    });
  });
}

/**
 * Take the lock named by `key` (any string, e.g. a data folder's absolute path), waiting while
 * another process holds it. `onWait` is told once when waiting starts; the wait ends early
 * (rejecting) when `signal` aborts.
 */
export async function acquireExclusive(key: string, opts: { onWait?: () => void; signal?: AbortSignal; pollMs?: number } = {}): Promise<ExclusiveLock> {
  const name = '\0ranlab-lock-' + createHash('sha256').update(key).digest('hex').slice(0, 32);
  let told = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    const srv = await tryBind(name);
    if (srv) {
      let released = false;
      return {
        key,
        release: () =>
          new Promise<void>((resolve) => {
            if (released) return resolve();
            released = true;
            srv.close(() => resolve());
          }),
      };
    }
    if (!told) {
      told = true;
      opts.onWait?.();
    }
    await sleep(opts.pollMs ?? 200);
  }
}
