// The embedded dev chain, in the controller's own process: Hardhat's EDR engine behind an
// EIP-1193 provider, reached through viem's custom transport. There is no port and no socket, so
// no other process (of this user or another) can call it at all, least of all its administrative
// methods (hardhat_impersonateAccount, hardhat_setBalance, evm_mine ...). Accounts are funded in
// the genesis block, so the controller never needs those methods either: the provider it trades
// through refuses them. Tests get the unrestricted provider to move blocks.
import { createRequire } from 'node:module';
import type { EIP1193RequestFn } from 'viem';
import type { Hex } from 'viem';
import { ComponentError } from '../errors.js';

export const IN_PROCESS_CHAIN_ID = 31337;

/** What viem's custom() transport needs: an EIP-1193 request function. */
export interface Eip1193 {
  request: EIP1193RequestFn;
}

export interface InProcessChain {
  chainId: number;
  /** For trading: administrative methods are refused. */
  provider: Eip1193;
  /** Unrestricted (evm_mine, hardhat_*): only for tests, never handed to a trial. */
  admin: Eip1193;
}

const ADMIN = /^(hardhat_|evm_|debug_|anvil_|personal_|eth_sign$|eth_signTransaction$|eth_sendTransaction$)/;

export interface RawProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}
type CreateProvider = (config: Record<string, unknown>, logger: Record<string, unknown>) => Promise<RawProvider>;

const require = createRequire(import.meta.url);

/**
 * The embedded chain's one method of its own: a raw send and its receipt in one call, so a
 * transaction costs one hop to the chain's thread instead of two. It answers `{ hash, receipt }`;
 * the receipt is null when it cannot be read at once (the sender then polls for it), and a
 * refused send rejects as eth_sendRawTransaction does.
 */
export const SEND_AND_RECEIPT = 'ranlab_sendRawTransactionAndReceipt';

/** The provider, answering SEND_AND_RECEIPT too (the chain's thread wraps its chain with it). */
export function withSendAndReceipt(raw: RawProvider): RawProvider {
  return {
    request: async (args) => {
      if (args.method !== SEND_AND_RECEIPT) return raw.request(args);
      const hash = await raw.request({ method: 'eth_sendRawTransaction', params: args.params });
      const receipt = await raw.request({ method: 'eth_getTransactionReceipt', params: [hash] }).catch(() => null);
      return { hash, receipt };
    },
  };
}

/** Hardhat's network provider module (a few hundred ms to load: chain-thread.ts loads it ahead). */
export function loadHardhatProvider(): CreateProvider {
  return (require('hardhat/internal/hardhat-network/provider/provider') as { createHardhatNetworkProvider: CreateProvider }).createHardhatNetworkProvider;
}

/** The unguarded EDR provider of a new chain whose genesis funds the given keys with `weiEach`. */
export async function createChainProvider(fundedKeys: readonly Hex[], weiEach: bigint): Promise<RawProvider> {
  return loadHardhatProvider()(
    {
      hardfork: 'prague',
      chainId: IN_PROCESS_CHAIN_ID,
      networkId: IN_PROCESS_CHAIN_ID,
      blockGasLimit: 60_000_000,
      minGasPrice: 0n,
      automine: true,
      intervalMining: 0,
      mempoolOrder: 'priority',
      chains: new Map(),
      genesisAccounts: fundedKeys.map((privateKey) => ({ privateKey, balance: weiEach.toString() })),
      allowUnlimitedContractSize: false,
      throwOnTransactionFailures: true,
      throwOnCallFailures: true,
      allowBlocksWithSameTimestamp: false,
      enableTransientStorage: false,
      enableRip7212: false,
    },
    { enabled: false, printLineFn: () => {}, replaceLastLineFn: () => {} },
  );
}

/**
 * Starts an in-process chain whose genesis funds the given keys with `weiEach`: on the chain
 * thread when one was started (the CLI's trials), else on this thread.
 */
export async function startInProcessChain(fundedKeys: Hex[], weiEach: bigint): Promise<InProcessChain> {
  const { chainThreadProvider } = await import('./chain-thread-client.js');
  const raw = (await chainThreadProvider(fundedKeys, weiEach)) ?? withSendAndReceipt(await createChainProvider(fundedKeys, weiEach));
  const admin = { request: ((args: { method: string; params?: unknown[] }) => raw.request(args)) as EIP1193RequestFn };
  const provider = {
    request: ((args: { method: string; params?: unknown[] }) => {
      if (ADMIN.test(args.method))
        return Promise.reject(new ComponentError('ledger', `${args.method} is an administrative method: refused on the embedded chain`, 'LEDGER_ADMIN_REFUSED'));
      return raw.request(args);
    }) as EIP1193RequestFn,
  };
  return { chainId: IN_PROCESS_CHAIN_ID, provider, admin };
}
