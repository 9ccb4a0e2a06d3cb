// The embedded chain's thread (see chain-thread-client.ts): loads Hardhat's provider as soon as
// it starts, then creates a chain each time it is asked and answers their EIP-1193 requests.
import type { Hex } from 'viem';
import { answerRequests } from '../proc/thread.js';
import { createChainProvider, loadHardhatProvider, withSendAndReceipt, type RawProvider } from './inprocess.js';

/** What the client asks (proc/thread.ts adds the sequence number): 'start' answers the new chain's id. */
export type ChainThreadRequest =
  | { kind: 'start'; fundedKeys: Hex[]; weiEach: bigint }
  | { kind: 'request'; chain: number; args: { method: string; params?: unknown[] } };

loadHardhatProvider();
const chains = new Map<number, RawProvider>();
answerRequests<ChainThreadRequest>(async (m) => {
  if (m.kind === 'start') {
    const chain = withSendAndReceipt(await createChainProvider(m.fundedKeys, m.weiEach));
    const id = chains.size + 1;
    chains.set(id, chain);
    return id;
  }
  const chain = chains.get(m.chain);
  if (!chain) throw new Error(`no chain ${m.chain} on this thread`);
  return chain.request(m.args);
});
