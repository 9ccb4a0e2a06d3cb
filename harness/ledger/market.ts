// The UE market's client (UeMarket, seeds/004 contract type 1): a UE posts its QoS target,
// each operator offers a price and the throughput it can give, anyone awards the request once
// the offers are in (the contract picks the lowest offer meeting the target), and the UE pays
// the winner for its measured use each epoch. Every figure returned comes from the contract's
// own events, never recomputed here.
import { encodeFunctionData, parseEventLogs, zeroAddress, type Address, type Hex, type PublicClient, type TransactionReceipt } from 'viem';
import { ComponentError } from '../errors.js';
import { labTokenAbi, ueMarketAbi } from './abi.js';
import type { MarketCall } from './gas.js';

/** Sends one market transaction signed by the named account (a UE or an operator); `ref` (the request id, or the epoch paid for) names it in errors. */
export type MarketSend = (signer: string, what: MarketCall, ref: bigint, data: Hex) => Promise<TransactionReceipt>;

export interface UeAward {
  /** The winning operator's name; null when no offer met the target. */
  winner: string | null;
  priceMicroPerMbit: bigint;
}

export interface UePayment {
  kbit: bigint;
  amountMicro: bigint;
}

const bad = (what: string, tx: Hex) => new ComponentError('ledger', `${what} (tx ${tx}) carries no event of the UeMarket`, 'LEDGER_BAD_ANSWER');

export class UeMarketClient {
  constructor(
    readonly address: Address,
    private readonly token: Address,
    private readonly pub: PublicClient,
    private readonly send: MarketSend,
    private readonly nameOf: (address: string) => string | undefined,
    private readonly addressOf: (name: string) => Address,
  ) {}

  #events(receipt: TransactionReceipt) {
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === this.address.toLowerCase());
    return parseEventLogs({ abi: ueMarketAbi, logs });
  }

  /** UE `ue` asks for at least `minKbps` of downlink; returns the request id. */
  async post(ue: string, minKbps: number): Promise<bigint> {
    const r = await this.send(ue, 'post', 0n, encodeFunctionData({ abi: ueMarketAbi, functionName: 'post', args: [BigInt(Math.round(minKbps))] }));
    const ev = this.#events(r).find((e) => e.eventName === 'Posted');
    if (!ev || ev.eventName !== 'Posted') throw bad(`the request of ${ue}`, r.transactionHash);
    return ev.args.id;
  }

  /** Operator `operator` offers request `id` a price (micro-tokens per Mbit) and the throughput it can give. */
  async offer(id: bigint, operator: string, priceMicroPerMbit: bigint, kbps: number): Promise<void> {
    await this.send(operator, 'offer', id, encodeFunctionData({ abi: ueMarketAbi, functionName: 'offer', args: [id, priceMicroPerMbit, BigInt(Math.round(kbps))] }));
  }

  /** Closes request `id` (sent by `by`): the winner as the contract's Awarded event names it. */
  async award(id: bigint, by: string): Promise<UeAward> {
    const r = await this.send(by, 'award', id, encodeFunctionData({ abi: ueMarketAbi, functionName: 'award', args: [id] }));
    const ev = this.#events(r).find((e) => e.eventName === 'Awarded');
    if (!ev || ev.eventName !== 'Awarded') throw bad(`the award of request ${id}`, r.transactionHash);
    const w = ev.args.winner;
    return { winner: w === zeroAddress ? null : (this.nameOf(w) ?? w), priceMicroPerMbit: ev.args.priceMicroPerMbit };
  }

  /** UE `ue` pays its winner for `kbit` measured in `epoch`: what moved, from the Paid event. */
  async pay(id: bigint, ue: string, epoch: bigint, kbit: bigint): Promise<UePayment> {
    const r = await this.send(ue, 'pay', epoch, encodeFunctionData({ abi: ueMarketAbi, functionName: 'pay', args: [id, epoch, kbit] }));
    const ev = this.#events(r).find((e) => e.eventName === 'Paid');
    if (!ev || ev.eventName !== 'Paid') throw bad(`the payment of ${ue} for epoch ${epoch}`, r.transactionHash);
    return { kbit: ev.args.kbit, amountMicro: ev.args.amount };
  }

  /** Token balances (micro-tokens) of the named accounts, all read at one block. */
  async balancesOf(names: readonly string[]): Promise<Map<string, bigint>> {
    const blockNumber = await this.pub.getBlockNumber({ cacheTime: 0 });
    const values = await Promise.all(
      names.map((n) => this.pub.readContract({ address: this.token, abi: labTokenAbi, functionName: 'balanceOf', args: [this.addressOf(n)], blockNumber })),
    );
    return new Map(names.map((n, i) => [n, values[i]!]));
  }

  /** Everything the contract's Paid events say each winner received (micro-tokens, by operator name). */
  async paidTo(): Promise<Map<string, bigint>> {
    const logs = await this.pub.getContractEvents({ address: this.address, abi: ueMarketAbi, eventName: 'Paid', fromBlock: 0n, toBlock: 'latest' });
    const out = new Map<string, bigint>();
    for (const l of logs) {
      const name = this.nameOf(l.args.winner!) ?? l.args.winner!;
      out.set(name, (out.get(name) ?? 0n) + l.args.amount!);
    }
    return out;
  }
}
