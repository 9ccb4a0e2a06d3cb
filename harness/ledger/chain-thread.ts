// The embedded chain's thread (see chain-thread-client.ts): loads Hardhat's provider as soon as
// it starts, then creates a chain each time it is asked and answers their EIP-1193 requests. Errors go
// back as their name, message, code and data (what viem and revert.ts read).
import { parentPort } from 'node:worker_threads';
import type { Hex } from 'viem';
import { createChainProvider, loadHardhatProvider, withSendAndReceipt, type RawProvider } from './inprocess.js';

export type ChainThreadRequest =
  | { kind: 'start'; seq: number; fundedKeys: Hex[]; weiEach: bigint }
  | { kind: 'request'; seq: number; chain: number; args: { method: string; params?: unknown[] } };

/** To 'start': the new chain's id; to 'request': the chain's answer. */
export type ChainThreadReply = { seq: number; result?: unknown; error?: ThreadError };

export interface ThreadError {
  name: string;
  message: string;
  code?: unknown;
  data?: unknown;
}

function threadError(err: unknown): ThreadError {
  const e = err as { name?: unknown; message?: unknown; code?: unknown; data?: unknown };
  const out: ThreadError = { name: String(e?.name ?? 'Error'), message: String(e?.message ?? err) };
  // Only what can cross the thread boundary as data.
  for (const k of ['code', 'data'] as const) if (e?.[k] !== undefined) out[k] = JSON.parse(JSON.stringify(e[k], (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
  return out;
}

const port = parentPort!;
loadHardhatProvider();
const chains = new Map<number, RawProvider>();
const reply = (seq: number, work: Promise<unknown>) =>
  work.then(
    (result) => port.postMessage({ seq, result } satisfies ChainThreadReply),
    (err: unknown) => port.postMessage({ seq, error: threadError(err) } satisfies ChainThreadReply),
  );
port.on('message', (m: ChainThreadRequest) => {
  if (m.kind === 'start')
    return void reply(
      m.seq,
      createChainProvider(m.fundedKeys, m.weiEach).then((c) => {
        const id = chains.size + 1;
        chains.set(id, withSendAndReceipt(c));
        return id;
      }),
    );
  const chain = chains.get(m.chain);
  void reply(m.seq, chain ? chain.request(m.args) : Promise.reject(new Error(`no chain ${m.chain} on this thread`)));
});
