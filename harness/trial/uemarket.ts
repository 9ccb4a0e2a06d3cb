// The UE market in a trial (seeds/004, contract type 1): at bring-up each UE posts its QoS
// target, every operator offers its rig ueOffer, and the contract awards the lowest offer that
// meets the target; the UE is then served by the winner's base station (its modem selects the
// winner's PLMN). Each epoch the UE pays the winner for the downlink it was measured to
// receive (KPM), in the one token.
import { ComponentError } from '../errors.js';
import { microToTokens, tokensToMicro, type Ledger, type UeMarketClient } from '../ledger/index.js';
import type { KpmIndication } from '../ran/index.js';
import type { Rig, RigUe } from '../rig/index.js';
import type { Ue } from '../ue/index.js';

/** One UE's contract: the winner (null: no offer met the target, the UE stays with its home operator unpaid). */
export interface UeContract {
  ue: string;
  id: bigint;
  minDlKbps: number;
  winner: string | null;
  priceMicroPerMbit: bigint;
  /** The base station that serves the UE (the winner's), and the PLMN its modem selects. */
  bs: string;
  plmn: string | null;
}

export interface UeMarketReport {
  ues: {
    ue: string;
    minDlKbps: number;
    winner: string | null;
    bs: string;
    plmn: string | null;
    priceTokensPerMbit: number;
    /** Downlink measured and paid for over the trial, kbit. */
    kbit: number;
    paidTokens: number;
    paidMicro: string;
    epochsPaid: number;
    /** The measured mean downlink over the paid epochs, kbit/s (the offer's commitment is not checked by the contract). */
    meanDlKbps: number;
    /** What the UE's own modem said after the last epoch (AT+C5GREG?/CEREG?, AT+QENG="servingcell"); null if it could not be read. */
    modem: { registered: boolean; state: string; plmn: string | null; nrPci: number | null; copsMode: number } | null;
  }[];
  /** Each operator's balance right after the awards and at the end, and what the Paid events say it received (micro-tokens). */
  operators: { operator: string; startBalanceMicro: string; endBalanceMicro: string; receivedMicro: string }[];
}

export interface UeMarketState {
  contracts: Map<string, UeContract>;
  startBalances: Map<string, bigint>;
  paid: Map<string, { kbit: bigint; micro: bigint; epochs: number }>;
}

function marketOf(ledger: Ledger): UeMarketClient {
  const m = ledger.market;
  if (!m) throw new ComponentError('ledger', 'trial.ueMarket is on but the ledger has no UeMarket (the embedded ledger deploys it with the UEs)', 'LEDGER_NO_CONTRACT');
  return m;
}

/** Every UE's request, every operator's offer, the awards; then the operators' balances before any payment. */
export async function runUeAuction(rig: Rig, ledger: Ledger): Promise<UeMarketState> {
  const market = marketOf(ledger);
  const contracts = new Map<string, UeContract>();
  // One UE at a time: an account's transactions go in order (an automining chain queues none).
  for (const u of rig.ues) contracts.set(u.id, await auction(rig, market, u));
  const startBalances = await ledger.balances();
  return { contracts, startBalances, paid: new Map() };
}

async function auction(rig: Rig, market: UeMarketClient, u: RigUe): Promise<UeContract> {
  const id = await market.post(u.id, u.minDlKbps!);
  await Promise.all(rig.operators.map((o) => market.offer(id, o.name, tokensToMicro(o.ueOffer!.priceTokensPerMbit, `${o.name}'s ueOffer price`), o.ueOffer!.maxDlKbps)));
  // Every operator has offered, so the award is open at once; the first operator sends it.
  const award = await market.award(id, rig.operators[0]!.name);
  const home = { ue: u.id, id, minDlKbps: u.minDlKbps!, winner: null, priceMicroPerMbit: 0n, bs: u.servingBs, plmn: null };
  if (!award.winner) return home;
  const winner = rig.operators.find((o) => o.name === award.winner);
  if (!winner) throw new ComponentError('ledger', `the UeMarket awarded ${u.id}'s request to ${award.winner}, not an operator of rig ${rig.name}`, 'LEDGER_BAD_ANSWER');
  const own = rig.basestations.find((b) => b.id === u.servingBs && b.operator === winner.name);
  const bs = own ?? rig.basestations.find((b) => b.operator === winner.name)!;
  return { ...home, winner: winner.name, priceMicroPerMbit: award.priceMicroPerMbit, bs: bs.id, plmn: winner.plmn ?? null };
}

/**
 * Each UE with a winner pays it for the epoch: its downlink over the epoch (the mean of its KPM
 * throughput at the winner's base station, times the epoch length), in kbit.
 */
export async function payForEpoch(ledger: Ledger, state: UeMarketState, inds: KpmIndication[], epoch: number, epochMs: number): Promise<void> {
  const market = marketOf(ledger);
  await Promise.all(
    [...state.contracts.values()].map(async (c) => {
      if (!c.winner) return;
      const mine = inds.filter((i) => i.nodeId === c.bs).flatMap((i) => i.ues.filter((x) => x.ueId === c.ue));
      const meanKbps = mine.length ? mine.reduce((a, x) => a + x.thpDlKbps, 0) / mine.length : 0;
      const kbit = BigInt(Math.round((meanKbps * epochMs) / 1000));
      const p = await market.pay(c.id, c.ue, BigInt(epoch), kbit);
      const sum = state.paid.get(c.ue) ?? { kbit: 0n, micro: 0n, epochs: 0 };
      state.paid.set(c.ue, { kbit: sum.kbit + p.kbit, micro: sum.micro + p.amountMicro, epochs: sum.epochs + 1 });
    }),
  );
}

/** The report's UE market section: contracts and payments, and the operators' balances read from the chain. */
export async function ueMarketReport(ledger: Ledger, state: UeMarketState, ues: ReadonlyMap<string, Ue>, epochMs: number): Promise<UeMarketReport> {
  const [end, received] = await Promise.all([ledger.balances(), marketOf(ledger).paidTo()]);
  const views = new Map(await Promise.all([...state.contracts.keys()].map(async (id) => [id, await modemView(ues.get(id))] as const)));
  return {
    ues: [...state.contracts.values()].map((c) => {
      const p = state.paid.get(c.ue) ?? { kbit: 0n, micro: 0n, epochs: 0 };
      const seconds = (p.epochs * epochMs) / 1000;
      return {
        ue: c.ue,
        minDlKbps: c.minDlKbps,
        winner: c.winner,
        bs: c.bs,
        plmn: c.plmn,
        priceTokensPerMbit: microToTokens(c.priceMicroPerMbit),
        kbit: Number(p.kbit),
        paidTokens: microToTokens(p.micro),
        paidMicro: p.micro.toString(),
        epochsPaid: p.epochs,
        meanDlKbps: seconds > 0 ? Number(p.kbit) / seconds : 0,
        modem: views.get(c.ue) ?? null,
      };
    }),
    operators: [...end.keys()].map((op) => ({
      operator: op,
      startBalanceMicro: (state.startBalances.get(op) ?? 0n).toString(),
      endBalanceMicro: end.get(op)!.toString(),
      receivedMicro: (received.get(op) ?? 0n).toString(),
    })),
  };
}

/** Registration, the serving cell's PLMN and NR PCI, and the selection mode, in the modem's own words. */
async function modemView(ue: Ue | undefined): Promise<UeMarketReport['ues'][number]['modem']> {
  if (!ue) return null;
  try {
    const reg = await ue.registration();
    const cell = await ue.servingCell();
    const cops = await ue.operatorSelection();
    const p = cell.primary;
    const nr = cell.rat === 'NR5G-SA' ? p : cell.nr;
    return { registered: reg.registered, state: cell.state, plmn: p?.mcc && p.mnc ? `${p.mcc}${p.mnc}` : null, nrPci: nr?.pci ?? null, copsMode: cops.mode };
  } catch {
    return null;
  }
}
