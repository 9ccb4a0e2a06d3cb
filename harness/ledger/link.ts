// How the client reaches a chain: a lab chain over HTTP JSON-RPC, or the embedded chain in this
// process (no port at all). Both end up as a viem transport and a viem Chain.
import { custom, defineChain, http, type Chain, type Transport } from 'viem';
import type { InProcessChain } from './inprocess.js';

export type ChainLink = { kind: 'http'; url: string } | { kind: 'in-process'; chain: InProcessChain };

export function transportOf(link: ChainLink, timeoutMs: number, retryCount = 2): Transport {
  return link.kind === 'http' ? http(link.url, { timeout: timeoutMs, retryCount, retryDelay: 100 }) : custom(link.chain.provider, { retryCount: 0 });
}

export function whereOf(link: ChainLink): string {
  return link.kind === 'http' ? link.url : 'embedded in-process dev chain';
}

export function chainOf(id: number, link: ChainLink): Chain {
  return defineChain({
    id,
    name: `ranlab-ledger-${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [link.kind === 'http' ? link.url : 'http://in-process.invalid'] } },
  });
}
