// Sending one signed transaction and getting its receipt with as few round trips and as little
// work as the chain allows: the nonce is counted here (read from the chain once per account, and
// again after any failed send), the transaction is signed locally (signer.ts) with the gas from
// the formula and sent raw, and the receipt is asked for as soon as the send returns (an
// automining chain has it then; the embedded chain answers the send with it, saving a hop to
// its thread). Only when it is not there yet does viem's polling take over. The same path
// serves a lab chain over HTTP (viem's transport) and the embedded chain (its EIP-1193
// provider, called directly: nothing in between).
import { formatTransactionReceipt, type Address, type Hex, type PublicClient, type RpcTransactionReceipt, type TransactionReceipt } from 'viem';
import { messageOf } from '../errors.js';
import { SEND_AND_RECEIPT } from './inprocess.js';
import { refillNonces, type TxSigner } from './signer.js';

/** How chains (EDR, geth, Besu) refuse a nonce already used. */
const STALE_NONCE = /nonce too low|nonce has already been used|replacement transaction underpriced/i;

export interface TxRequest {
  to: Address;
  data: Hex;
  gas: bigint;
  gasPrice: bigint;
  chainId: number;
}

/** One JSON-RPC call (EIP-1193 shape). */
export type RpcRequest = (args: { method: string; params?: unknown[] }) => Promise<unknown>;

/** A failure after the chain accepted the transaction: its effects are unknown until read back. */
export class ReceiptUnknownError extends Error {
  constructor(
    readonly hash: Hex,
    cause: unknown,
  ) {
    super(`no receipt for ${hash}`, { cause });
  }
}

export class TxSender {
  readonly #next = new Map<Address, number>();
  readonly #loading = new Map<Address, Promise<number>>();

  constructor(
    /** Polling for receipts not there at once. */
    private readonly pub: PublicClient,
    /** Reads: receipts, nonces. */
    private readonly read: RpcRequest,
    /** Raw sends only, never retried (a retried send reads as a failure). */
    private readonly sendRaw: RpcRequest,
    private readonly pollingIntervalMs: number,
    private readonly receiptTimeoutMs: number,
    /** The embedded chain: the send answers with the receipt (inprocess.ts, SEND_AND_RECEIPT). */
    private readonly receiptWithSend = false,
  ) {}

  /**
   * Signs, sends and returns the receipt; `onSent` runs once the chain accepted it. A send the
   * chain refused for a stale nonce (the key also signed elsewhere) is signed again once with the
   * chain's count: refused means not executed, so this never sends a call twice.
   */
  async send(address: Address, signer: TxSigner, tx: TxRequest, onSent?: () => void): Promise<TransactionReceipt> {
    let hash: Hex;
    let receipt: RpcTransactionReceipt | null = null;
    for (let attempt = 1; ; attempt++) {
      const nonce = await this.#take(address);
      try {
        const raw = signer.sign({ chainId: tx.chainId, type: 'legacy', to: tx.to, data: tx.data, gas: tx.gas, gasPrice: tx.gasPrice, nonce });
        const sending = this.sendRaw({ method: this.receiptWithSend ? SEND_AND_RECEIPT : 'eth_sendRawTransaction', params: [raw] });
        // The chain works on it now: the next signature's costly half is made meanwhile.
        refillNonces();
        const answer = await sending;
        if (this.receiptWithSend) ({ hash, receipt } = answer as { hash: Hex; receipt: RpcTransactionReceipt | null });
        else hash = answer as Hex;
        break;
      } catch (err) {
        // The nonce may or may not be used (a revert on an automining chain uses it): read it again.
        this.reset(address);
        if (attempt === 1 && STALE_NONCE.test(messageOf(err))) continue;
        throw err;
      }
    }
    onSent?.();
    if (receipt) return formatTransactionReceipt(receipt);
    try {
      const r = await this.read({ method: 'eth_getTransactionReceipt', params: [hash] });
      if (r) return formatTransactionReceipt(r as RpcTransactionReceipt);
      return await this.pub.waitForTransactionReceipt({ hash, timeout: this.receiptTimeoutMs, pollingInterval: this.pollingIntervalMs });
    } catch (err) {
      throw new ReceiptUnknownError(hash, err);
    }
  }

  /** Forget the account's nonce: the next send reads it from the chain ('pending'). */
  reset(address: Address): void {
    this.#next.delete(address);
  }

  async #take(address: Address): Promise<number> {
    if (!this.#next.has(address)) {
      let loading = this.#loading.get(address);
      if (!loading) {
        loading = this.read({ method: 'eth_getTransactionCount', params: [address, 'pending'] }).then((n) => Number(n as Hex));
        this.#loading.set(address, loading);
        void loading.catch(() => undefined).finally(() => this.#loading.delete(address));
      }
      const n = await loading;
      if (!this.#next.has(address)) this.#next.set(address, n);
    }
    const n = this.#next.get(address)!;
    this.#next.set(address, n + 1);
    return n;
  }
}
