// The ledger client: decisions and settlements over EVM JSON-RPC (viem), each operator's
// transactions signed with its own key. ranlab reads decisions from the contract's events; it
// never recomputes them. Keys live only inside this object (viem local accounts); they are never
// logged, and every message this module builds is scrubbed of them as a second line of defence.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BaseError,
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  defineChain,
  encodeFunctionData,
  getAddress,
  http,
  isAddress,
  parseEventLogs,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { ComponentError, ConfigError, messageOf } from '../errors.js';
import { childLog } from '../log.js';
import { contractsBuildDir } from '../paths.js';
import type { Supervisor } from '../proc/index.js';
import { spectrumLedgerAbi } from './abi.js';
import { startDevChain, type DevChain } from './chain.js';
import { loadOperatorKey, normalizePrivateKey, type AccountSource, type KeySourceOptions } from './keys.js';
import { ledgerParamsOf, type SpectrumConfig } from './units.js';

const log = childLog('ledger');
const COMPONENT = 'ledger';

/** An operator's signing key: given directly, or named by its rig-file source (keyFile / keyEnv). */
export type OperatorKey = { name: string; privateKey: Hex } | { name: string; account: AccountSource };

export interface AttachOptions {
  rpcUrl: string;
  /** The deployed SpectrumLedger's address. */
  contract: Address;
  operators: OperatorKey[];
  /** How key sources are resolved (environment, base folder of relative key files). */
  keySources?: KeySourceOptions;
  /** Per JSON-RPC request (default 10 s). */
  requestTimeoutMs?: number;
  /** How long to wait for a transaction's receipt (default 60 s). */
  receiptTimeoutMs?: number;
  /** Receipt polling period (default 250 ms; the embedded chain uses 25 ms). */
  pollingIntervalMs?: number;
}

export interface EmbeddedOptions {
  /** Operator names, in contract (index) order. */
  operators: string[];
  /** The dev chain's run folder goes under it. */
  dataDir: string;
  spectrum: SpectrumConfig;
}

export interface DeployOptions {
  operators: OperatorKey[];
  spectrum: SpectrumConfig;
  keySources?: KeySourceOptions;
}

/** The contract's fixed parameters, as read from the chain. */
export interface LedgerInfo {
  bandUnits: bigint;
  priceMicroPerUnitSecond: bigint;
  totalSupplyMicro: bigint;
  operators: Address[];
}

interface Operator {
  name: string;
  address: Address;
  account: PrivateKeyAccount;
  /** Next nonce, tracked locally after the first read; cleared after any failed send. */
  nonce?: number;
  /** Transactions of one operator go one at a time (nonce order). */
  queue: Promise<unknown>;
}

/** Gas an operator should be able to pay for to count as able to transact (about one decide). */
export const MIN_GAS_UNITS = 500_000n;
/** Ether each generated account gets on the embedded chain (10,000 ETH). */
const DEV_FUNDING_WEI = 10_000n * 10n ** 18n;

interface Artifact {
  abi: unknown[];
  bytecode: Hex;
}
let artifactCache: Artifact | undefined;

/** The compiled SpectrumLedger (dist/contracts/SpectrumLedger.json, written by `npm run build`). */
export function loadArtifact(): Artifact {
  if (artifactCache) return artifactCache;
  const path = join(contractsBuildDir, 'SpectrumLedger.json');
  let parsed: Partial<Artifact>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Artifact>;
  } catch (err) {
    throw new ComponentError(COMPONENT, `contract artifact ${path} missing or unreadable (${messageOf(err)}); run \`npm run build\``, 'LEDGER_NOT_BUILT');
  }
  if (!Array.isArray(parsed.abi) || typeof parsed.bytecode !== 'string' || !/^0x[0-9a-f]+$/i.test(parsed.bytecode))
    throw new ComponentError(COMPONENT, `contract artifact ${path} is malformed; run \`npm run build\``, 'LEDGER_NOT_BUILT');
  artifactCache = { abi: parsed.abi, bytecode: parsed.bytecode as Hex };
  return artifactCache;
}

type IntLike = number | bigint;

const UINT256_LIMIT = 1n << 256n;

function uint(value: IntLike, what: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value >= UINT256_LIMIT) throw new ConfigError(`ledger: ${what} must be a non-negative integer, got ${value}`, 'LEDGER_BAD_ARGUMENT');
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) throw new ConfigError(`ledger: ${what} must be a non-negative integer, got ${value}`, 'LEDGER_BAD_ARGUMENT');
  return BigInt(value);
}

function devChain(id: number, rpcUrl: string): Chain {
  return defineChain({
    id,
    name: `ranlab-ledger-${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/** viem's short message, with the root cause (e.g. `connect ECONNREFUSED 127.0.0.1:8545`) when there is one. */
function shortOf(err: unknown): string {
  const head = err instanceof BaseError ? err.shortMessage : messageOf(err);
  let root: unknown = err;
  for (let depth = 0; depth < 12; depth++) {
    const next = (root as { cause?: unknown } | undefined)?.cause;
    if (!next) break;
    root = next;
  }
  if (root === err || !(root instanceof Error) || root instanceof BaseError) return head;
  const detail = root.message.split('\n')[0].slice(0, 200);
  return detail && !head.includes(detail) ? `${head} (${detail})` : head;
}

/** The revert data (selector + arguments) somewhere in a viem error's cause chain, if any. */
function revertDataOf(err: unknown): Hex | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 12; depth++) {
    const d = (e as { data?: unknown }).data;
    if (typeof d === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(d)) return d as Hex;
    if (d && typeof d === 'object') {
      const inner = (d as { data?: unknown }).data;
      if (typeof inner === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(inner)) return inner as Hex;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isRevert(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 12; depth++) {
    const name = (e as { name?: unknown }).name;
    const msg = String((e as { message?: unknown }).message ?? '');
    if (name === 'ExecutionRevertedError' || name === 'ContractFunctionRevertedError' || /revert/i.test(msg)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export class Ledger {
  readonly rpcUrl: string;
  readonly contract: Address;
  /** Operator names in the order given (the contract's index order when deployed by ranlab). */
  readonly operatorNames: readonly string[];

  readonly #ops = new Map<string, Operator>();
  readonly #byAddress = new Map<string, string>();
  /** Key material, only to scrub messages (never read otherwise). */
  readonly #secrets: string[];
  readonly #pub: PublicClient;
  readonly #sender: PublicClient;
  readonly #pollingIntervalMs: number;
  readonly #receiptTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  #chain: Chain | undefined;
  #info: LedgerInfo | undefined;
  /** The dev chain this object started (embedded); close() stops it. */
  #ownedChain: DevChain | undefined;
  #closed = false;
  #gasPriceCache: { wei: bigint; at: number } | undefined;

  private constructor(
    rpcUrl: string,
    contract: Address,
    operators: { name: string; privateKey: Hex }[],
    opts: { chainId?: number; pollingIntervalMs?: number; receiptTimeoutMs?: number; requestTimeoutMs?: number; ownedChain?: DevChain },
  ) {
    this.rpcUrl = rpcUrl;
    this.contract = contract;
    this.#pollingIntervalMs = opts.pollingIntervalMs ?? 250;
    this.#receiptTimeoutMs = opts.receiptTimeoutMs ?? 60_000;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.#ownedChain = opts.ownedChain;
    if (opts.chainId !== undefined) this.#chain = devChain(opts.chainId, rpcUrl);
    this.#pub = createPublicClient({
      transport: http(rpcUrl, { timeout: this.#requestTimeoutMs, retryCount: 2, retryDelay: 100 }),
      pollingInterval: this.#pollingIntervalMs,
    });
    // Sends are not retried by the transport: a retried raw transaction reads as a failure.
    this.#sender = createPublicClient({ transport: http(rpcUrl, { timeout: this.#requestTimeoutMs, retryCount: 0 }) });
    this.#secrets = operators.map((o) => o.privateKey.slice(2).toLowerCase());
    for (const o of operators) {
      if (this.#ops.has(o.name)) throw new ConfigError(`ledger: operator ${o.name} is listed twice`, 'LEDGER_BAD_ARGUMENT');
      const account = privateKeyToAccount(o.privateKey);
      if (this.#byAddress.has(account.address.toLowerCase()))
        throw new ConfigError(`ledger: operators ${this.#byAddress.get(account.address.toLowerCase())} and ${o.name} have the same key`, 'LEDGER_BAD_ARGUMENT');
      this.#ops.set(o.name, { name: o.name, address: account.address, account, queue: Promise.resolve() });
      this.#byAddress.set(account.address.toLowerCase(), o.name);
    }
    this.operatorNames = operators.map((o) => o.name);
  }

  // ------------------------------------------------------------------ construction

  /**
   * Starts the embedded dev chain (a supervised Hardhat node under dataDir), generates a fresh key
   * per operator (never written anywhere), funds them and deploys SpectrumLedger. close() stops
   * the chain.
   */
  static async embedded(supervisor: Supervisor, opts: EmbeddedOptions): Promise<Ledger> {
    checkOperatorNames(opts.operators);
    ledgerParamsOf(opts.spectrum); // bad spectrum figures fail before a process is started
    const chain = await startDevChain(supervisor, { dataDir: opts.dataDir });
    try {
      const ledger = await Ledger.deployOnDevChain(chain, { operators: opts.operators, spectrum: opts.spectrum });
      ledger.#ownedChain = chain;
      return ledger;
    } catch (err) {
      await chain.stop();
      throw err;
    }
  }

  /**
   * Deploys a fresh SpectrumLedger on an already running dev chain, with freshly generated and
   * funded operator keys. The chain stays up after close() (whoever started it stops it).
   */
  static async deployOnDevChain(chain: DevChain, opts: { operators: string[]; spectrum: SpectrumConfig }): Promise<Ledger> {
    checkOperatorNames(opts.operators);
    const keys = opts.operators.map((name) => ({ name, privateKey: generatePrivateKey() }));
    const deployerKey = generatePrivateKey();
    const deployer = privateKeyToAccount(deployerKey);
    await Promise.all([deployer.address, ...keys.map((k) => privateKeyToAccount(k.privateKey).address)].map((a) => chain.setBalance(a, DEV_FUNDING_WEI)));
    const contract = await deployWith(chain.rpcUrl, chain.chainId, deployerKey, keys.map((k) => privateKeyToAccount(k.privateKey).address), opts.spectrum, 25);
    log.info({ contract, operators: opts.operators }, 'SpectrumLedger deployed on the embedded chain');
    return new Ledger(chain.rpcUrl, contract, keys, { chainId: chain.chainId, pollingIntervalMs: 25, receiptTimeoutMs: 30_000 });
  }

  /**
   * Deploys SpectrumLedger on a lab chain with the given deployer key (which needs gas funds) and
   * returns a client attached to it. The operators' keys only give their addresses here.
   */
  static async deploy(rpcUrl: string, deployerKey: Hex, opts: DeployOptions & Omit<AttachOptions, 'rpcUrl' | 'contract' | 'operators'>): Promise<Ledger> {
    const keys = resolveKeys(opts.operators, opts.keySources);
    const key = normalizePrivateKey(deployerKey, 'ledger deployer key');
    const chainId = await createPublicClient({ transport: http(rpcUrl, { timeout: 5000, retryCount: 0 }) })
      .getChainId()
      .catch((err: unknown) => {
        throw new ComponentError(COMPONENT, `no answer from ${rpcUrl}: ${shortOf(err)}`, 'LEDGER_UNREACHABLE', { cause: err });
      });
    const contract = await deployWith(rpcUrl, chainId, key, keys.map((k) => privateKeyToAccount(k.privateKey).address), opts.spectrum, opts.pollingIntervalMs ?? 250);
    log.info({ contract, chainId }, 'SpectrumLedger deployed');
    return new Ledger(rpcUrl, contract, keys, { chainId, ...opts });
  }

  /** A client of an existing SpectrumLedger on a lab chain. Nothing is contacted until used. */
  static attach(opts: AttachOptions): Ledger {
    if (!/^https?:\/\//.test(opts.rpcUrl)) throw new ConfigError(`ledger.rpc: expected an http(s) URL, got ${opts.rpcUrl}`, 'LEDGER_BAD_ARGUMENT');
    if (!isAddress(opts.contract, { strict: false })) throw new ConfigError(`ledger.contract: expected a 0x-prefixed 20-byte address, got ${opts.contract}`, 'LEDGER_BAD_ARGUMENT');
    checkOperatorNames(opts.operators.map((o) => o.name));
    const keys = resolveKeys(opts.operators, opts.keySources);
    return new Ledger(opts.rpcUrl, getAddress(opts.contract), keys, opts);
  }

  // ------------------------------------------------------------------ identity

  /** Each operator's account address (public; safe to log and report). */
  addresses(): Map<string, Address> {
    return new Map([...this.#ops.values()].map((o) => [o.name, o.address]));
  }

  /** One line for humans: where the ledger is and who signs. Holds no secret. */
  describe(): string {
    const where = this.#ownedChain ? `embedded dev chain ${this.rpcUrl}` : this.rpcUrl;
    const chain = this.#chain ? `, chain ${this.#chain.id}` : '';
    const info = this.#info ? `, W=${this.#info.bandUnits} units, supply ${this.#info.totalSupplyMicro} micro-tokens` : '';
    const ops = [...this.#ops.values()].map((o) => `${o.name}=${o.address}`).join(' ');
    return `${where}${chain}, SpectrumLedger ${this.contract}${info}, operators ${ops}`;
  }

  // ------------------------------------------------------------------ bring-up

  /**
   * Fails fast (within timeoutMs, default 5 s) unless the chain answers, contract code is at the
   * address, it is a SpectrumLedger, every operator is registered in it, and every operator can
   * pay for gas. Throws ComponentError('ledger', reason).
   */
  async checkReachable(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const probe = createPublicClient({ transport: http(this.rpcUrl, { timeout: Math.min(timeoutMs, 3000), retryCount: 0 }) });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ComponentError(COMPONENT, `${this.rpcUrl} did not complete the reachability check within ${timeoutMs} ms`, 'LEDGER_UNREACHABLE')),
        Math.max(1, deadline - Date.now()),
      );
    });
    try {
      await Promise.race([this.#check(probe), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #check(probe: PublicClient): Promise<void> {
    let chainId: number;
    try {
      chainId = await probe.getChainId();
    } catch (err) {
      throw new ComponentError(COMPONENT, `no answer from ${this.rpcUrl}: ${shortOf(err)}`, 'LEDGER_UNREACHABLE', { cause: err });
    }
    if (this.#chain && this.#chain.id !== chainId)
      throw new ComponentError(COMPONENT, `${this.rpcUrl} is chain ${chainId}, expected ${this.#chain.id}`, 'LEDGER_WRONG_CHAIN');
    this.#chain ??= devChain(chainId, this.rpcUrl);
    const code = await probe.getCode({ address: this.contract }).catch((err: unknown) => {
      throw new ComponentError(COMPONENT, `reading code at ${this.contract}: ${shortOf(err)}`, 'LEDGER_UNREACHABLE', { cause: err });
    });
    if (!code || code === '0x') throw new ComponentError(COMPONENT, `no contract code at ${this.contract} on chain ${chainId} (${this.rpcUrl})`, 'LEDGER_NO_CONTRACT');
    const info = await this.#readInfo(probe).catch((err: unknown) => {
      throw new ComponentError(COMPONENT, `the contract at ${this.contract} does not answer as a SpectrumLedger: ${shortOf(err)}`, 'LEDGER_WRONG_CONTRACT', { cause: err });
    });
    const registered = new Set(info.operators.map((a) => a.toLowerCase()));
    for (const o of this.#ops.values())
      if (!registered.has(o.address.toLowerCase()))
        throw new ComponentError(COMPONENT, `operator ${o.name} (${o.address}) is not registered in the SpectrumLedger at ${this.contract}`, 'LEDGER_NOT_OPERATOR');
    const gasPrice = await probe.getGasPrice();
    const need = gasPrice * MIN_GAS_UNITS;
    const funds = await Promise.all([...this.#ops.values()].map(async (o) => [o, await probe.getBalance({ address: o.address })] as const));
    for (const [o, wei] of funds)
      if (wei < need)
        throw new ComponentError(
          COMPONENT,
          `operator ${o.name} (${o.address}) cannot pay for gas: balance ${wei} wei, needs at least ${need} wei (${MIN_GAS_UNITS} gas at ${gasPrice} wei)`,
          'LEDGER_NO_GAS',
        );
    log.info({ rpcUrl: this.rpcUrl, chainId, contract: this.contract, bandUnits: String(info.bandUnits) }, 'ledger reachable');
  }

  async #readInfo(client: PublicClient = this.#pub): Promise<LedgerInfo> {
    if (this.#info) return this.#info;
    const c = { address: this.contract, abi: spectrumLedgerAbi } as const;
    const [bandUnits, price, supply, operators] = await Promise.all([
      client.readContract({ ...c, functionName: 'bandUnits' }),
      client.readContract({ ...c, functionName: 'price' }),
      client.readContract({ ...c, functionName: 'totalSupply' }),
      client.readContract({ ...c, functionName: 'operators' }),
    ]);
    this.#info = { bandUnits, priceMicroPerUnitSecond: price, totalSupplyMicro: supply, operators: [...operators] };
    return this.#info;
  }

  /** The contract's fixed parameters (read once, then cached). */
  info(): Promise<LedgerInfo> {
    return this.#guard(() => this.#readInfo(), 'reading the contract parameters');
  }

  // ------------------------------------------------------------------ the epoch

  /** Operator `name` requests `units` spectrum units for `epoch` (signed with its own key). */
  async request(epoch: IntLike, name: string, units: IntLike): Promise<void> {
    const e = uint(epoch, 'epoch');
    const u = uint(units, 'units');
    const op = this.#op(name);
    await this.#transact(op, 'request', e, encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'request', args: [e, u] }));
  }

  /** Every operator's request for the epoch, sent concurrently (one sender each). */
  async requestAll(epoch: IntLike, demands: Map<string, IntLike> | Record<string, IntLike>): Promise<void> {
    const entries = demands instanceof Map ? [...demands] : Object.entries(demands);
    await settleAllOrThrow(entries.map(([name, units]) => this.request(epoch, name, units)));
  }

  /**
   * Decides the epoch on chain (sent by operator `by`, default the operators in turn) and returns
   * the grants as the contract's Granted events state them: operator name -> units.
   */
  async decide(epoch: IntLike, epochMs: IntLike, by?: string): Promise<Map<string, number>> {
    const e = uint(epoch, 'epoch');
    const ms = uint(epochMs, 'epochMs');
    const sender = this.#op(by ?? this.operatorNames[Number(e % BigInt(this.operatorNames.length))]);
    const info = await this.info();
    const receipt = await this.#transact(sender, 'decide', e, encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'decide', args: [e, ms] }));
    return this.#grantsFromReceipt(receipt, e, info.bandUnits);
  }

  #grantsFromReceipt(receipt: TransactionReceipt, epoch: bigint, bandUnits: bigint): Map<string, number> {
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === this.contract.toLowerCase());
    const events = parseEventLogs({ abi: spectrumLedgerAbi, logs, eventName: ['Granted', 'Decided'] });
    const grants = new Map<string, number>();
    let total = 0n;
    let decidedTotal: bigint | undefined;
    const bad = (why: string) => new ComponentError(COMPONENT, `decision for epoch ${epoch} (tx ${receipt.transactionHash}) is malformed: ${why}`, 'LEDGER_BAD_ANSWER');
    for (const ev of events) {
      if (ev.args.epoch !== epoch) throw bad(`event for epoch ${ev.args.epoch}`);
      if (ev.eventName === 'Decided') {
        decidedTotal = ev.args.totalUnits;
        continue;
      }
      const name = this.#byAddress.get(ev.args.operator.toLowerCase());
      if (name === undefined) continue; // an operator of the contract that this client does not sign for
      if (grants.has(name)) throw bad(`two grants for ${name}`);
      if (ev.args.units > bandUnits) throw bad(`grant of ${ev.args.units} units to ${name} exceeds the band (${bandUnits})`);
      grants.set(name, Number(ev.args.units));
      total += ev.args.units;
    }
    if (decidedTotal === undefined) throw bad('no Decided event');
    if (decidedTotal > bandUnits) throw bad(`total ${decidedTotal} exceeds the band (${bandUnits})`);
    if (total > decidedTotal) throw bad(`grants sum to ${total}, more than the decided total ${decidedTotal}`);
    for (const name of this.operatorNames) if (!grants.has(name)) throw bad(`no grant event for ${name}`);
    return grants;
  }

  /**
   * Operator `name` settles its measured use in `epoch` (units of 180 kHz, milliseconds) and
   * returns the cost the contract charged (micro-tokens, from the Settled event).
   */
  async settle(epoch: IntLike, name: string, usedUnits: IntLike, usedMs: IntLike): Promise<bigint> {
    const e = uint(epoch, 'epoch');
    const u = uint(usedUnits, 'usedUnits');
    const ms = uint(usedMs, 'usedMs');
    const op = this.#op(name);
    const receipt = await this.#transact(op, 'settle', e, encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'settle', args: [e, u, ms] }));
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === this.contract.toLowerCase());
    const ev = parseEventLogs({ abi: spectrumLedgerAbi, logs, eventName: 'Settled' }).find(
      (x) => x.args.epoch === e && x.args.operator.toLowerCase() === op.address.toLowerCase(),
    );
    if (!ev) throw new ComponentError(COMPONENT, `settlement by ${name} for epoch ${e} (tx ${receipt.transactionHash}) has no Settled event`, 'LEDGER_BAD_ANSWER');
    if (ev.args.usedUnits !== u || ev.args.usedMs !== ms)
      throw new ComponentError(COMPONENT, `settlement by ${name} for epoch ${e}: the Settled event does not match what was sent`, 'LEDGER_BAD_ANSWER');
    return ev.args.cost;
  }

  /** Every operator's settlement for the epoch, sent concurrently; returns name -> cost (micro-tokens). */
  async settleAll(epoch: IntLike, uses: Map<string, { usedUnits: IntLike; usedMs: IntLike }>): Promise<Map<string, bigint>> {
    const entries = [...uses];
    const costs = await settleAllOrThrow(entries.map(([name, u]) => this.settle(epoch, name, u.usedUnits, u.usedMs)));
    return new Map(entries.map(([name], i) => [name, costs[i]]));
  }

  // ------------------------------------------------------------------ reads

  /** Every operator's balance in micro-tokens, all read at one block. */
  async balances(): Promise<Map<string, bigint>> {
    return this.#guard(async () => {
      const blockNumber = await this.#pub.getBlockNumber();
      const ops = [...this.#ops.values()];
      const values = await Promise.all(
        ops.map((o) => this.#pub.readContract({ address: this.contract, abi: spectrumLedgerAbi, functionName: 'balanceOf', args: [o.address], blockNumber })),
      );
      return new Map(ops.map((o, i) => [o.name, values[i]]));
    }, 'reading balances');
  }

  /** The total supply in micro-tokens (constant: the contract conserves it). */
  async totalSupply(): Promise<bigint> {
    return this.#guard(
      () => this.#pub.readContract({ address: this.contract, abi: spectrumLedgerAbi, functionName: 'totalSupply' }),
      'reading the total supply',
    );
  }

  /** The grants of a decided epoch, read from the contract's state (name -> units); undefined if not decided. */
  async grants(epoch: IntLike): Promise<Map<string, number> | undefined> {
    const e = uint(epoch, 'epoch');
    return this.#guard(async () => {
      const c = { address: this.contract, abi: spectrumLedgerAbi } as const;
      const blockNumber = await this.#pub.getBlockNumber();
      if (!(await this.#pub.readContract({ ...c, functionName: 'decided', args: [e], blockNumber }))) return undefined;
      const ops = [...this.#ops.values()];
      const units = await Promise.all(ops.map((o) => this.#pub.readContract({ ...c, functionName: 'grantOf', args: [e, o.address], blockNumber })));
      return new Map(ops.map((o, i) => [o.name, Number(units[i])]));
    }, `reading the grants of epoch ${e}`);
  }

  /** Stops what this object started (the embedded dev chain); a lab chain is left alone. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#ops.values()].map((o) => o.queue));
    if (this.#ownedChain) await this.#ownedChain.stop();
  }

  // ------------------------------------------------------------------ internals

  #op(name: string): Operator {
    const op = this.#ops.get(name);
    if (!op) throw new ConfigError(`ledger: unknown operator ${name} (known: ${this.operatorNames.join(', ')})`, 'LEDGER_BAD_ARGUMENT');
    return op;
  }

  #scrub(text: string): string {
    let out = text;
    for (const s of this.#secrets) out = out.replace(new RegExp(s, 'gi'), '[redacted]');
    return out;
  }

  async #guard<T>(fn: () => Promise<T>, what: string): Promise<T> {
    if (this.#closed) throw new ComponentError(COMPONENT, `${what}: the ledger client is closed`, 'LEDGER_CLOSED');
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ComponentError || err instanceof ConfigError) throw err;
      throw new ComponentError(COMPONENT, this.#scrub(`${what} at ${this.rpcUrl} failed: ${shortOf(err)}`), 'LEDGER_RPC_FAILED', { cause: err });
    }
  }

  /** The chain's gas price with a 50 % margin, re-read at most every 5 s (or after a failed send). */
  async #gasPrice(): Promise<bigint> {
    const now = Date.now();
    if (this.#gasPriceCache && now - this.#gasPriceCache.at < 5000) return this.#gasPriceCache.wei;
    const base = await this.#pub.getGasPrice();
    const wei = (base * 3n) / 2n;
    this.#gasPriceCache = { wei, at: now };
    return wei;
  }

  async #getChain(): Promise<Chain> {
    if (!this.#chain) this.#chain = devChain(await this.#pub.getChainId(), this.rpcUrl);
    return this.#chain;
  }

  /** A contract error as `Name(arg=value, ...)`, addresses shown with the operator they belong to. */
  #describeRevert(err: unknown): string {
    const data = revertDataOf(err);
    if (data) {
      try {
        const d = decodeErrorResult({ abi: spectrumLedgerAbi, data });
        const inputs = spectrumLedgerAbi.find((x) => x.type === 'error' && x.name === d.errorName);
        const names = inputs && 'inputs' in inputs ? (inputs.inputs as readonly { name?: string }[]).map((i) => i.name ?? '') : [];
        const args = (d.args ?? []).map((v, i) => {
          let s = String(v);
          if (typeof v === 'string' && isAddress(v)) s = `${v} (${this.#byAddress.get(v.toLowerCase()) ?? 'not an operator'})`;
          return names[i] ? `${names[i]}=${s}` : s;
        });
        return `${d.errorName}(${args.join(', ')})`;
      } catch {
        try {
          const d = decodeErrorResult({ data }); // Error(string) and Panic(uint256)
          return `${d.errorName}(${(d.args ?? []).map(String).join(', ')})`;
        } catch {
          return `unknown error data ${data.slice(0, 74)}`;
        }
      }
    }
    return shortOf(err);
  }

  #txError(op: Operator, what: string, epoch: bigint, err: unknown, stage: string): Error {
    if (err instanceof ComponentError || err instanceof ConfigError) return err;
    const reverted = isRevert(err) || revertDataOf(err) !== undefined;
    const message = reverted
      ? `${what} by ${op.name} for epoch ${epoch} reverted: ${this.#describeRevert(err)}`
      : `${what} by ${op.name} for epoch ${epoch} failed (${stage}): ${shortOf(err)}`;
    return new ComponentError(COMPONENT, this.#scrub(message), reverted ? 'LEDGER_REVERTED' : 'LEDGER_TX_FAILED', { cause: err });
  }

  /** Signs and sends one transaction as `op` (one at a time per operator), waits for its receipt. */
  #transact(op: Operator, what: string, epoch: bigint, data: Hex): Promise<TransactionReceipt> {
    const run = async (): Promise<TransactionReceipt> => {
      if (this.#closed) throw new ComponentError(COMPONENT, `${what} by ${op.name} for epoch ${epoch}: the ledger client is closed`, 'LEDGER_CLOSED');
      let stage = 'estimating gas';
      try {
        const chain = await this.#getChain();
        // Estimating first surfaces a revert with its reason before anything is signed or sent.
        const gasHex = await this.#pub.request({ method: 'eth_estimateGas', params: [{ from: op.address, to: this.contract, data }] });
        const gas = (BigInt(gasHex) * 5n) / 4n + 20_000n;
        stage = 'reading the gas price';
        const gasPrice = await this.#gasPrice();
        stage = 'reading the nonce';
        op.nonce ??= await this.#pub.getTransactionCount({ address: op.address, blockTag: 'pending' });
        stage = 'sending';
        let hash: Hex;
        try {
          // Signed here (legacy type: accepted by every EVM chain, London or not, zero-fee QBFT too).
          const raw = await op.account.signTransaction({ type: 'legacy', chainId: chain.id, nonce: op.nonce, gas, gasPrice, to: this.contract, data });
          hash = await this.#sender.request({ method: 'eth_sendRawTransaction', params: [raw] });
          op.nonce += 1;
        } catch (err) {
          op.nonce = undefined; // re-read from the chain next time
          this.#gasPriceCache = undefined;
          throw err;
        }
        stage = 'waiting for the receipt';
        const receipt = await this.#pub.waitForTransactionReceipt({ hash, timeout: this.#receiptTimeoutMs, pollingInterval: this.#pollingIntervalMs });
        if (receipt.status !== 'success') {
          // Replay it on the state it ran against, for the reason.
          let reason = 'status 0 (reverted)';
          try {
            await this.#pub.call({ account: op.account, to: this.contract, data, blockNumber: receipt.blockNumber - 1n });
          } catch (err) {
            reason = this.#describeRevert(err);
          }
          throw new ComponentError(COMPONENT, this.#scrub(`${what} by ${op.name} for epoch ${epoch} reverted on chain (tx ${hash}): ${reason}`), 'LEDGER_REVERTED');
        }
        log.debug({ what, operator: op.name, epoch: String(epoch), tx: hash, gasUsed: String(receipt.gasUsed) }, 'ledger transaction');
        return receipt;
      } catch (err) {
        throw this.#txError(op, what, epoch, err, stage);
      }
    };
    const next = op.queue.then(run, run);
    op.queue = next.catch(() => undefined);
    return next;
  }
}

function checkOperatorNames(names: string[]): void {
  if (names.length < 2) throw new ConfigError(`ledger: at least 2 operators share the band, got ${names.length}`, 'LEDGER_BAD_ARGUMENT');
  const seen = new Set<string>();
  for (const n of names) {
    if (!n) throw new ConfigError('ledger: an operator has an empty name', 'LEDGER_BAD_ARGUMENT');
    if (seen.has(n)) throw new ConfigError(`ledger: operator ${n} is listed twice`, 'LEDGER_BAD_ARGUMENT');
    seen.add(n);
  }
}

function resolveKeys(operators: OperatorKey[], sources?: KeySourceOptions): { name: string; privateKey: Hex }[] {
  return operators.map((o) =>
    'privateKey' in o
      ? { name: o.name, privateKey: normalizePrivateKey(o.privateKey, `operator ${o.name}: the given private key`) }
      : { name: o.name, privateKey: loadOperatorKey(o.name, o.account, sources) },
  );
}

async function deployWith(rpcUrl: string, chainId: number, deployerKey: Hex, operators: Address[], spectrum: SpectrumConfig, pollingIntervalMs: number): Promise<Address> {
  const { bytecode } = loadArtifact();
  const p = ledgerParamsOf(spectrum);
  const chain = devChain(chainId, rpcUrl);
  const account = privateKeyToAccount(deployerKey);
  const transport = http(rpcUrl, { timeout: 15_000, retryCount: 0 });
  const wallet = createWalletClient({ account, chain, transport });
  const pub = createPublicClient({ chain, transport, pollingInterval: pollingIntervalMs });
  try {
    const hash = await wallet.deployContract({ abi: spectrumLedgerAbi, bytecode, args: [operators, p.bandUnits, p.supplyMicro, p.priceMicroPerUnitSecond] });
    const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: pollingIntervalMs, timeout: 60_000 });
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deployment transaction ${hash} reverted`);
    return receipt.contractAddress;
  } catch (err) {
    const data = revertDataOf(err);
    let why = shortOf(err);
    if (data) {
      try {
        why = decodeErrorResult({ abi: spectrumLedgerAbi, data }).errorName;
      } catch {
        /* keep viem's message */
      }
    }
    throw new ComponentError(COMPONENT, `deploying SpectrumLedger at ${rpcUrl} failed: ${why.replaceAll(deployerKey.slice(2), '[redacted]')}`, 'LEDGER_DEPLOY_FAILED', { cause: err });
  }
}

/** Like Promise.all, but waits for every promise (no transaction left in flight unobserved). */
async function settleAllOrThrow<T>(ps: Promise<T>[]): Promise<T[]> {
  const rs = await Promise.allSettled(ps);
  const failed = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<T>).value);
}
