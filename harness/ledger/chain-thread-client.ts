// The embedded chain on a thread of its own. Hardhat's provider takes a few hundred ms of CPU to
// load and the EVM's work is CPU too: a trial command starts the thread as soon as it knows the
// rig's ledger is embedded, so the loading overlaps the controller's own start-up and the chain's
// work leaves the controller's thread free. The chain stays in this process (no port, nothing
// else can reach it); without a started thread (tests, the TypeScript sources) it runs on the
// caller's thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Hex } from 'viem';
import type { ChainThreadReply, ChainThreadRequest, ThreadError } from './chain-thread.js';
import type { RawProvider } from './inprocess.js';

let worker: Worker | null = null;
let seq = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

/** The thread is gone: what was asked of it fails with this. */
class ThreadLost extends Error {}

/** Start the chain thread (once); it loads Hardhat's provider at once and holds no chain yet. */
export function startChainThread(): void {
  if (worker) return;
  const file = new URL('./chain-thread.js', import.meta.url);
  if (!existsSync(fileURLToPath(file))) return;
  // Not the command line's node options (some are refused in a worker, e.g. --input-type).
  const w = new Worker(file, { execArgv: [] });
  w.unref();
  w.on('message', (r: ChainThreadReply) => {
    const p = pending.get(r.seq);
    if (!p) return;
    pending.delete(r.seq);
    if (pending.size === 0) w.unref();
    if (r.error) p.reject(rebuilt(r.error));
    else p.resolve(r.result);
  });
  const lost = (err?: Error) => {
    if (worker === w) worker = null;
    const dead = new ThreadLost(`the embedded chain's thread ended${err ? `: ${err.message}` : ''}`);
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  w.on('error', lost);
  w.on('exit', () => lost());
  worker = w;
}

function rebuilt(e: ThreadError): Error {
  return Object.assign(new Error(e.message), { name: e.name }, e.code !== undefined ? { code: e.code } : {}, e.data !== undefined ? { data: e.data } : {});
}

function ask(w: Worker, m: ChainThreadRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (worker !== w) return reject(new ThreadLost("the embedded chain's thread ended"));
    pending.set(m.seq, { resolve, reject });
    w.ref();
    w.postMessage(m);
  });
}

/**
 * A new chain on the started thread (a thread holds any number, each with its own id: one EDR
 * context per process), or null when there is no thread to use.
 */
export async function chainThreadProvider(fundedKeys: readonly Hex[], weiEach: bigint): Promise<RawProvider | null> {
  const w = worker;
  if (!w) return null;
  let chain: number;
  try {
    chain = (await ask(w, { kind: 'start', seq: ++seq, fundedKeys: [...fundedKeys], weiEach })) as number;
  } catch (err) {
    // A thread that could not run at all: the chain runs on the caller's thread instead.
    if (err instanceof ThreadLost) return null;
    throw err;
  }
  return { request: (args) => ask(w, { kind: 'request', seq: ++seq, chain, args }) };
}
