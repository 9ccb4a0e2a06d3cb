// The compute market inside an offload trial (seed 003): the edge owner registers its service
// on chain, the trial discovers the services, picks the cheapest whose predicted latency meets
// the QoAIS, opens a computing session per condition with a LabToken deposit, and when the
// condition ends the owner settles it with the edge's measured compute time. On the twin this
// runs on its own in-process EVM chain (fresh keys per trial, never written down) with the
// LabToken; the UE's operator pays the edge owner.
import { createPublicClient, createWalletClient, custom, erc20Abi, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ComputeMarket, labTokenAbi, loadArtifact, pickService, startInProcessChain, type ComputeService } from '../ledger/index.js';

export interface MarketSettlement {
  condition: string;
  sessionId: string;
  serviceId: string;
  computeMicros: string;
  priceMicroPerSecond: string;
  depositMicro: string;
  paidMicro: string;
  refundMicro: string;
}

export interface TrialMarket {
  market: ComputeMarket;
  token: Address;
  chosen: ComputeService;
  services: number;
  /** Opens a session for one condition; `close(computeMicros)` settles it. */
  open(condition: string): Promise<{ close(computeMicros: bigint): Promise<MarketSettlement> }>;
  balances(): Promise<{ payer: bigint; owner: bigint; supply: bigint }>;
}

export async function startTrialMarket(opts: {
  endpoint: string;
  model: string;
  priceMicroPerSecond: bigint;
  depositMicro: bigint;
  capacity: number;
  predictMs: (s: ComputeService) => number;
  p99Ms?: number;
}): Promise<TrialMarket> {
  const [deployer, payer, owner] = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()] as [Hex, Hex, Hex];
  const chain = await startInProcessChain([deployer, payer, owner], 10n ** 21n);
  const pub = createPublicClient({ transport: custom(chain.provider) });
  const dep = privateKeyToAccount(deployer);
  const w = createWalletClient({ account: dep, transport: custom(chain.provider) });
  const supply = 13_320_000_000n;
  const token = (await pub.waitForTransactionReceipt({ hash: await w.deployContract({ abi: labTokenAbi, bytecode: loadArtifact('LabToken').bytecode, args: [supply, privateKeyToAccount(payer).address], account: dep, chain: null }), pollingInterval: 5 })).contractAddress!;
  const market = await ComputeMarket.deploy(chain.provider, deployer, token);
  await market.register(owner, { endpoint: opts.endpoint, model: opts.model, priceMicroPerSecond: opts.priceMicroPerSecond, capacity: opts.capacity });
  const services = await market.services();
  const chosen = pickService(services, opts.model, opts.predictMs, opts.p99Ms);
  if (!chosen) throw new Error(`compute market: no service for ${opts.model} meets the latency target`);
  const balanceOf = (k: Hex) => pub.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [privateKeyToAccount(k).address] });
  return {
    market,
    token,
    chosen,
    services: services.length,
    async open(condition) {
      const sessionId = await market.openSession(payer, token, chosen.id, opts.depositMicro);
      return {
        async close(computeMicros) {
          const s = await market.settle(owner, sessionId, computeMicros);
          return {
            condition,
            sessionId: String(sessionId),
            serviceId: String(chosen.id),
            computeMicros: String(s.computeMicros),
            priceMicroPerSecond: String(chosen.priceMicroPerSecond),
            depositMicro: String(opts.depositMicro),
            paidMicro: String(s.paidMicro),
            refundMicro: String(s.refundMicro),
          };
        },
      };
    },
    async balances() {
      return { payer: await balanceOf(payer), owner: await balanceOf(owner), supply };
    },
  };
}
