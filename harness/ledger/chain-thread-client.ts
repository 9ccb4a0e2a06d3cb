// The embedded chain on a thread of its own. Hardhat's provider takes a few hundred ms of CPU to
// load and the EVM's work is CPU too: a trial command starts the thread as soon as it knows the
// rig's ledger is embedded, so the loading overlaps the controller's own start-up and the chain's
// work leaves the controller's thread free. The chain stays in this process (no port, nothing
// else can reach it); without a started thread (tests, the TypeScript sources) it runs on the
// caller's thread.
import type { Hex } from 'viem';
import { ThreadClient, ThreadLost } from '../proc/thread.js';
import type { ChainThreadRequest } from './chain-thread.js';
import type { RawProvider } from './inprocess.js';

let thread: ThreadClient | null = null;

/** Start the chain thread (once); it loads Hardhat's provider at once and holds no chain yet. */
export function startChainThread(): void {
  if (!thread?.alive) thread = ThreadClient.start(new URL('./chain-thread.js', import.meta.url), "the embedded chain's thread");
}

/**
 * A new chain on the started thread (a thread holds any number, each with its own id: one EDR
 * context per process), or null when there is no thread to use.
 */
export async function chainThreadProvider(fundedKeys: readonly Hex[], weiEach: bigint): Promise<RawProvider | null> {
  const t = thread;
  if (!t?.alive) return null;
  let chain: number;
  try {
    chain = (await t.ask({ kind: 'start', fundedKeys: [...fundedKeys], weiEach } satisfies ChainThreadRequest)) as number;
  } catch (err) {
    // A thread that could not run at all: the chain runs on the caller's thread instead.
    if (err instanceof ThreadLost) return null;
    throw err;
  }
  return { request: (args) => t.ask({ kind: 'request', chain, args } satisfies ChainThreadRequest) };
}
