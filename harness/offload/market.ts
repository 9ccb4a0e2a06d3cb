// The compute market inside an offload trial (seed 003): the edge owner registers its service
// on chain, the trial discovers the services, picks the cheapest whose predicted latency meets
// the QoAIS, opens a computing session per condition with a deposit, and when the condition
// ends the owner settles it with the edge's measured compute time. The market runs on the
// spectrum ledger's chain and pays in its LabToken (the one token): the UE's operator pays the
// edge's owner, both operators of the ledger, which signs for them (their keys never leave it).
import type { Address } from 'viem';
import { ComputeMarket, ledgerSigner, pickService, type ComputeService, type Ledger } from '../ledger/index.js';

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
  payer: string;
  owner: string;
  /** Opens a session for one condition; `close(computeMicros)` settles it. */
  open(condition: string): Promise<{ close(computeMicros: bigint): Promise<MarketSettlement> }>;
  /** The payer's and the owner's token balances, and deposits the market still holds (micro-tokens). */
  balances(): Promise<{ payer: bigint; owner: bigint; escrow: bigint }>;
}

export async function startTrialMarket(opts: {
  ledger: Ledger;
  /** The UE's operator (pays) and the edge host's owner (is paid): ledger operators. */
  payer: string;
  owner: string;
  endpoint: string;
  model: string;
  priceMicroPerSecond: bigint;
  depositMicro: bigint;
  capacity: number;
  predictMs: (s: ComputeService) => number;
  p99Ms?: number;
}): Promise<TrialMarket> {
  const { ledger } = opts;
  const market = ComputeMarket.ofLedger(ledger);
  const token = (await ledger.info()).token;
  const [payer, owner] = [ledgerSigner(ledger, opts.payer), ledgerSigner(ledger, opts.owner)];
  await market.register(owner, { endpoint: opts.endpoint, model: opts.model, priceMicroPerSecond: opts.priceMicroPerSecond, capacity: opts.capacity });
  const services = await market.services();
  const chosen = pickService(services, opts.model, opts.predictMs, opts.p99Ms);
  if (!chosen) throw new Error(`compute market: no service for ${opts.model} meets the latency target`);
  const addresses = ledger.addresses();
  const balanceOf = (a: Address) => market.tokenBalance(token, a);
  return {
    market,
    token,
    chosen,
    services: services.length,
    payer: opts.payer,
    owner: opts.owner,
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
      const [p, o, e] = await Promise.all([balanceOf(addresses.get(opts.payer)!), balanceOf(addresses.get(opts.owner)!), balanceOf(market.address)]);
      return { payer: p, owner: o, escrow: e };
    },
  };
}
