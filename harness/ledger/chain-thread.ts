// The embedded chain's thread (see chain-thread-client.ts): loads Hardhat's provider as soon as
// it starts, then creates the chain when asked and answers its EIP-1193 requests. Errors go
// back as their name, message, code and data (what viem and revert.ts read).
import { parentPort } from 'node:worker_threads';
import type { Hex } from 'viem';
import { createChainProvider, loadHardhatProvider, withSendAndReceipt, type RawProvider } from './inprocess.js';

export type ChainThreadRequest =
  | { kind: 'start'; fundedKeys: Hex[]; weiEach: bigint }
  | { kind: 'request'; seq: number; args: { method: string; params?: unknown[] } };

export type ChainThreadReply =
  | { kind: 'started'; error?: ThreadError }
  | { kind: 'reply'; seq: number; result?: unknown; error?: ThreadError };

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
let chain: RawProvider | null = null;
port.on('message', (m: ChainThreadRequest) => {
  if (m.kind === 'start') {
    createChainProvider(m.fundedKeys, m.weiEach).then(
      (c) => {
        chain = withSendAndReceipt(c);
        port.postMessage({ kind: 'started' } satisfies ChainThreadReply);
      },
      (err: unknown) => port.postMessage({ kind: 'started', error: threadError(err) } satisfies ChainThreadReply),
    );
    return;
  }
  chain!.request(m.args).then(
    (result) => port.postMessage({ kind: 'reply', seq: m.seq, result } satisfies ChainThreadReply),
    (err: unknown) => port.postMessage({ kind: 'reply', seq: m.seq, error: threadError(err) } satisfies ChainThreadReply),
  );
});
