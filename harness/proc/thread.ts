// A worker thread asked by sequence number, both sides: the caller's `ThreadClient` (the
// compiled file beside the caller; it keeps the process alive only while an answer is owed,
// and a thread that ends fails what it still owed with ThreadLost), and the thread's
// `answerRequests`. Errors cross as their name, message, code and data (what viem and the
// ledger's revert decoding read). The embedded chain and the certificate issuer use it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';

export interface ThreadError {
  name: string;
  message: string;
  code?: unknown;
  data?: unknown;
}

interface Reply {
  seq: number;
  result?: unknown;
  error?: ThreadError;
}

/** The thread is gone: what was asked of it fails with this. */
export class ThreadLost extends Error {}

export class ThreadClient {
  #seq = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #lost: ThreadLost | null = null;

  /** The thread running `file` (`what` names it in errors), or null when that file is not there (the TypeScript sources). */
  static start(file: URL, what: string): ThreadClient | null {
    // Not the command line's node options (some are refused in a worker, e.g. --input-type).
    return existsSync(fileURLToPath(file)) ? new ThreadClient(new Worker(file, { execArgv: [] }), what) : null;
  }

  private constructor(
    private readonly w: Worker,
    what: string,
  ) {
    w.unref();
    w.on('message', (r: Reply) => {
      const p = this.#pending.get(r.seq);
      if (!p) return;
      this.#pending.delete(r.seq);
      if (this.#pending.size === 0) w.unref();
      if (r.error) p.reject(Object.assign(new Error(r.error.message), { name: r.error.name }, r.error.code !== undefined ? { code: r.error.code } : {}, r.error.data !== undefined ? { data: r.error.data } : {}));
      else p.resolve(r.result);
    });
    const lost = (err?: Error) => {
      this.#lost = new ThreadLost(`${what} ended${err ? `: ${err.message}` : ''}`);
      for (const p of this.#pending.values()) p.reject(this.#lost);
      this.#pending.clear();
    };
    w.on('error', lost);
    w.on('exit', () => lost());
  }

  get alive(): boolean {
    return this.#lost === null;
  }

  /** Send `message` (its `seq` is added) and wait for the thread's answer. */
  ask(message: object): Promise<unknown> {
    if (this.#lost) return Promise.reject(this.#lost);
    return new Promise((resolve, reject) => {
      const seq = ++this.#seq;
      this.#pending.set(seq, { resolve, reject });
      this.w.ref();
      this.w.postMessage({ ...message, seq });
    });
  }
}

function threadError(err: unknown): ThreadError {
  const e = err as { name?: unknown; message?: unknown; code?: unknown; data?: unknown };
  const out: ThreadError = { name: String(e?.name ?? 'Error'), message: String(e?.message ?? err) };
  // Only what can cross the thread boundary as data.
  for (const k of ['code', 'data'] as const) if (e?.[k] !== undefined) out[k] = JSON.parse(JSON.stringify(e[k], (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
  return out;
}

/** In the thread: answer each request with `handle`'s result, or its error. */
export function answerRequests<Req>(handle: (request: Req) => Promise<unknown>): void {
  const port = parentPort!;
  port.on('message', (m: Req & { seq: number }) => {
    void Promise.resolve()
      .then(() => handle(m))
      .then(
        (result) => port.postMessage({ seq: m.seq, result } satisfies Reply),
        (err: unknown) => port.postMessage({ seq: m.seq, error: threadError(err) } satisfies Reply),
      );
  });
}
