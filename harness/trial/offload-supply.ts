// The one token's supply after an offload or combined trial: every account the ledger knows
// (operators, UE-market accounts), the spectrum ledger's escrow and the compute market's held
// deposits, read after the last settlement of both. Equal to the fixed supply to the last
// micro-token when spectrum and compute payments moved tokens and created or lost none.
import { ComputeMarket, type Ledger } from '../ledger/index.js';
import { readFinalBalances } from './spectrum.js';

export interface TokenSupply {
  initialMicro: bigint;
  finalMicro: bigint;
  finalBalancesMicro: Map<string, bigint>;
  /** Deposits the compute market still held (0 once every session is settled). */
  computeEscrowMicro: bigint;
}

export async function readTokenSupply(ledger: Ledger): Promise<TokenSupply> {
  const [initialMicro, spectrum, info] = await Promise.all([ledger.totalSupply(), readFinalBalances(ledger), ledger.info()]);
  const computeEscrowMicro = ledger.computeMarket ? await ComputeMarket.ofLedger(ledger).tokenBalance(info.token, ledger.computeMarket) : 0n;
  return { initialMicro, finalMicro: spectrum.finalSupplyMicro + computeEscrowMicro, finalBalancesMicro: spectrum.finalBalancesMicro, computeEscrowMicro };
}
