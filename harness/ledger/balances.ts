// Operators' token balances kept from the token's Transfer events in the receipts of the
// transactions this client sends, so that reading them every epoch costs no round trip. The book
// starts from one chain read at a known block and applies only receipts mined after it; a
// transaction whose outcome is unknown (no receipt) drops the book, and the next read goes to the
// chain again. The chain stays the truth: the ledger compares the book with a chain read at the
// end of a trial and says which balances had moved outside this client.
import { erc20Abi, parseEventLogs, type Address, type TransactionReceipt } from 'viem';

interface Delta {
  block: bigint;
  address: string;
  amount: bigint;
}

export class BalanceBook {
  #seed: { block: bigint; values: Map<string, bigint> } | undefined;
  /** Deltas seen before the book was seeded (those mined after the seed's block still count). */
  #pending: Delta[] = [];
  /** Bumped when the book is dropped: a chain read begun before that must not seed it. */
  #generation = 0;
  /** The highest block whose receipt the book applied. */
  #lastBlock = 0n;

  /** `tracked`: lower-case addresses whose balances are kept. */
  constructor(private readonly tracked: ReadonlySet<string>) {}

  get generation(): number {
    return this.#generation;
  }

  get lastBlock(): bigint {
    return this.#lastBlock;
  }

  /** The token's Transfer events of one mined receipt, as deltas of the tracked balances. */
  record(receipt: TransactionReceipt, token: Address | undefined): void {
    if (!token) return this.drop();
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === token.toLowerCase());
    if (receipt.blockNumber > this.#lastBlock) this.#lastBlock = receipt.blockNumber;
    if (!logs.length) return;
    for (const ev of parseEventLogs({ abi: erc20Abi, logs, eventName: 'Transfer' })) {
      const from = ev.args.from.toLowerCase();
      const to = ev.args.to.toLowerCase();
      if (this.tracked.has(from)) this.#apply({ block: receipt.blockNumber, address: from, amount: -ev.args.value });
      if (this.tracked.has(to)) this.#apply({ block: receipt.blockNumber, address: to, amount: ev.args.value });
    }
  }

  /** Forget everything: the next read goes to the chain. */
  drop(): void {
    this.#seed = undefined;
    this.#pending = [];
    this.#generation++;
  }

  /** The balances as kept (a copy), or undefined when they must be read from the chain. */
  current(): Map<string, bigint> | undefined {
    return this.#seed ? new Map(this.#seed.values) : undefined;
  }

  /** Start (again) from a chain read at `block`, unless the book was dropped since `generation`. */
  seed(block: bigint, values: Map<string, bigint>, generation: number): void {
    if (generation !== this.#generation) return;
    this.#seed = { block, values: new Map(values) };
    const pending = this.#pending;
    this.#pending = [];
    for (const d of pending) this.#apply(d);
  }

  #apply(d: Delta): void {
    if (!this.#seed) {
      this.#pending.push(d);
      return;
    }
    if (d.block <= this.#seed.block) return;
    this.#seed.values.set(d.address, (this.#seed.values.get(d.address) ?? 0n) + d.amount);
  }
}
