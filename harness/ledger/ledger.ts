// The ledger client: an operator consortium's SpectrumLedger over EVM JSON-RPC (viem), each
// operator's transactions signed with its own key. Nonces are viem's nonce manager's; gas comes
// from the formula in gas.ts. ranlab reads decisions and settlements from the contract's events,
// never recomputes them. Keys live only inside this object (viem local accounts); they are never
// logged, and every message this module builds is scrubbed of them as a second line of defence.
import {
  createPublicClient,
  encodeFunctionData,
  getAddress,
  isAddress,
  maxUint256,
  parseAbi,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { ComponentError, ConfigError } from '../errors.js';
import { childLog } from '../log.js';
import type { Supervisor } from '../proc/index.js';
import { labTokenAbi, spectrumLedgerAbi, ueMarketAbi } from './abi.js';
import type { DevChain } from './chain.js';
import { computeMarketAbi } from './compute-market.js';
import { deployContracts } from './deploy.js';
import { BalanceBook } from './balances.js';
import { gasLimit, type ComputeCall, type LedgerCall } from './gas.js';
import { ReceiptUnknownError, TxSender, type RpcRequest } from './sender.js';
import { TxSigner } from './signer.js';
import { UeMarketClient } from './market.js';
import { startInProcessChain, type InProcessChain } from './inprocess.js';
import { addressOf, normalizePrivateKey } from './keys.js';
import { chainOf, transportOf, whereOf, type ChainLink } from './link.js';
import { checkOperatorNames, resolveKeys, settleAllOrThrow, uint, type IntLike } from './args.js';
import { grantsOf, settlementOf } from './events.js';
import { readLedgerRecords, type LedgerRecords } from './records.js';
import type { AttachOptions, DeployOptions, EmbeddedOptions, Grant, LedgerInfo, Settlement } from './types.js';
import { describeRevert, isRevert, revertDataOf, shortOf } from './revert.js';
import { initialBalancesOf, ledgerParamsOf, tokensToMicro, type SpectrumConfig } from './units.js';

const log = childLog('ledger');
const COMPONENT = 'ledger';

interface Operator {
  name: string;
  address: Address;
  signer: TxSigner;
}

/** Gas an operator should be able to pay for to count as able to transact (about one decide). */
export const MIN_GAS_UNITS = 500_000n;
/** Ether each generated account gets on a dev chain (10,000 ETH). */
const DEV_FUNDING_WEI = 10_000n * 10n ** 18n;

const ZERO_DIGEST: Hex = `0x${'0'.repeat(64)}`;
/** What a call is about, for messages: a UE market request, or an epoch. */
const aboutOf = (what: LedgerCall, n: bigint) =>
  what === 'post' || what === 'offer' || what === 'award' ? `for request ${n}` : what.startsWith('compute') ? 'on the compute market' : `for epoch ${n}`;

/** Reverts of either contract decode against both. */
const REVERT_ABI = [
  ...spectrumLedgerAbi,
  ...ueMarketAbi.filter((x) => x.type === 'error'),
  ...computeMarketAbi.filter((x) => x.type === 'error'),
  // The token's own (OpenZeppelin ERC20), e.g. a UE whose account cannot pay its winner.
  ...parseAbi([
    'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
    'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  ]),
];

export class Ledger {
  readonly rpcUrl: string;
  readonly contract: Address;
  readonly operatorNames: readonly string[];
  readonly link: ChainLink;

  readonly #ops = new Map<string, Operator>();
  /** UEs' accounts (the UE market's requesters and payers), by UE id. */
  readonly #ues = new Map<string, Operator>();
  #market: UeMarketClient | null = null;
  /** The ComputeMarket on this chain and token (embedded ledger deployed with it), or null. */
  #computeMarket: Address | null = null;
  readonly #byAddress = new Map<string, string>();
  readonly #secrets: string[];
  readonly #pub: PublicClient;
  readonly #pollingIntervalMs: number;
  readonly #receiptTimeoutMs: number;
  #chain: Chain;
  #info: LedgerInfo | undefined;
  #closed = false;
  #inFlight = new Set<Promise<unknown>>();
  #gasPriceCache: { wei: bigint; at: number } | undefined;
  readonly #sender: TxSender;
  /** Operators' balances kept from the receipts of this client's transactions. */
  readonly #book: BalanceBook;

  private constructor(
    link: ChainLink,
    contract: Address,
    chainId: number | undefined,
    operators: { name: string; privateKey: Hex }[],
    opts: { pollingIntervalMs?: number; receiptTimeoutMs?: number; requestTimeoutMs?: number },
  ) {
    this.link = link;
    this.rpcUrl = whereOf(link);
    this.contract = contract;
    this.#pollingIntervalMs = opts.pollingIntervalMs ?? (link.kind === 'in-process' ? 5 : 250);
    this.#receiptTimeoutMs = opts.receiptTimeoutMs ?? 60_000;
    const transport = transportOf(link, opts.requestTimeoutMs ?? 10_000);
    // A placeholder chain id until the first check reads the real one (wallets are rebuilt then).
    this.#chain = chainOf(chainId ?? 0, link);
    this.#pub = createPublicClient({ transport, pollingInterval: this.#pollingIntervalMs });
    this.#secrets = operators.map((o) => o.privateKey.slice(2).toLowerCase());
    for (const o of operators) {
      if (this.#ops.has(o.name)) throw new ConfigError(`ledger: operator ${o.name} is listed twice`, 'LEDGER_BAD_ARGUMENT');
      const address = addressOf(o.privateKey);
      if (this.#byAddress.has(address.toLowerCase()))
        throw new ConfigError(`ledger: operators ${this.#byAddress.get(address.toLowerCase())} and ${o.name} have the same key`, 'LEDGER_BAD_ARGUMENT');
      this.#ops.set(o.name, { name: o.name, address, signer: new TxSigner(o.privateKey) });
      this.#byAddress.set(address.toLowerCase(), o.name);
    }
    this.operatorNames = operators.map((o) => o.name);
    // Sends are not retried by the transport: a retried raw transaction reads as a failure.
    // The embedded chain's provider is called directly (viem's request layer costs more than the call).
    const sendVia = createPublicClient({ transport: transportOf(link, opts.requestTimeoutMs ?? 10_000, 0) });
    const read: RpcRequest = link.kind === 'in-process' ? link.chain.provider.request : (args) => this.#pub.request(args as never);
    const sendRaw: RpcRequest = link.kind === 'in-process' ? link.chain.provider.request : (args) => sendVia.request(args as never);
    this.#sender = new TxSender(this.#pub, read, sendRaw, this.#pollingIntervalMs, this.#receiptTimeoutMs, link.kind === 'in-process');
    this.#book = new BalanceBook(new Set([...this.#ops.values()].map((o) => o.address.toLowerCase())));
  }

  /** The UE market's accounts (UE ids must not be operator names) and its client. */
  #openMarket(address: Address, token: Address, ues: { name: string; privateKey: Hex }[]): void {
    for (const u of ues) {
      if (this.#ops.has(u.name) || this.#ues.has(u.name)) throw new ConfigError(`ledger: UE ${u.name} has the name of another account`, 'LEDGER_BAD_ARGUMENT');
      const address = addressOf(u.privateKey);
      this.#ues.set(u.name, { name: u.name, address, signer: new TxSigner(u.privateKey) });
      this.#byAddress.set(address.toLowerCase(), u.name);
      this.#secrets.push(u.privateKey.slice(2).toLowerCase());
    }
    const signer = (name: string) => this.#ues.get(name) ?? this.#op(name);
    this.#market = new UeMarketClient(
      address,
      token,
      this.#pub,
      (name, what, ref, data) => this.#transact(signer(name), what, ref, data, address),
      (a) => this.#byAddress.get(a.toLowerCase()),
      (name) => signer(name).address,
    );
  }

  /** The UE market's account holders (UE ids), in rig order. */
  ueNames(): string[] {
    return [...this.#ues.keys()];
  }

  /** The UE market (embedded ledger deployed with UEs), or null. */
  get market(): UeMarketClient | null {
    return this.#market;
  }

  /** The ComputeMarket deployed with this ledger (same chain, same token), or null. */
  get computeMarket(): Address | null {
    return this.#computeMarket;
  }

  /**
   * Operator `name` signs one call to another contract of this chain (the compute market, or
   * the token to approve it), with the same nonces, gas and scrubbed errors as its own calls.
   */
  sendAs(name: string, what: ComputeCall | 'approve', to: Address, data: Hex): Promise<TransactionReceipt> {
    return this.#transact(this.#op(name), what, 0n, data, to);
  }

  // ------------------------------------------------------------------ construction

  /**
   * The embedded ledger: a dev chain inside this process (no port: nothing else can reach it),
   * fresh keys funded at genesis, the token and the contract deployed, allowances given.
   */
  static async embedded(_supervisor: Supervisor | undefined, opts: EmbeddedOptions): Promise<Ledger> {
    const { ledger } = await Ledger.embeddedWithChain(opts);
    return ledger;
  }

  /** As embedded(), also returning the chain (tests use its admin provider to move blocks). */
  static async embeddedWithChain(opts: EmbeddedOptions): Promise<{ ledger: Ledger; chain: InProcessChain }> {
    checkOperatorNames(opts.operators);
    initialBalancesOf(ledgerParamsOf(opts.spectrum).supplyMicro, opts.operators.length, opts.spectrum.initialBalances);
    const keys = opts.operators.map((name) => ({ name, privateKey: generatePrivateKey() }));
    const ueKeys = (opts.ues ?? []).map((u) => ({ name: u.name, privateKey: generatePrivateKey(), micro: tokensToMicro(u.tokens, `UE ${u.name}'s tokens`) }));
    const deployerKey = generatePrivateKey();
    const chain = await startInProcessChain([deployerKey, ...keys.map((k) => k.privateKey), ...ueKeys.map((k) => k.privateKey)], DEV_FUNDING_WEI);
    const link: ChainLink = { kind: 'in-process', chain };
    const ueFunding = ueKeys.map((u) => ({ address: addressOf(u.privateKey), micro: u.micro }));
    const deployed = await deployContracts(link, chain.chainId, deployerKey, keys.map((k) => addressOf(k.privateKey)), opts.spectrum, 5, ueFunding, opts.computeMarket);
    const ledger = new Ledger(link, deployed.contract, chain.chainId, keys, {});
    if (deployed.market) ledger.#openMarket(deployed.market, deployed.token, ueKeys);
    ledger.#computeMarket = deployed.computeMarket ?? null;
    await ledger.#authorize();
    log.info({ contract: deployed.contract, token: deployed.token, operators: opts.operators }, 'ledger deployed on the embedded chain');
    return { ledger, chain };
  }

  /** A fresh ledger on a running HTTP dev chain (tests): keys generated and funded with hardhat_setBalance. */
  static async deployOnDevChain(chain: DevChain, opts: { operators: string[]; spectrum: SpectrumConfig }): Promise<Ledger> {
    checkOperatorNames(opts.operators);
    const keys = opts.operators.map((name) => ({ name, privateKey: generatePrivateKey() }));
    const deployerKey = generatePrivateKey();
    await Promise.all([deployerKey, ...keys.map((k) => k.privateKey)].map((k) => chain.setBalance(addressOf(k), DEV_FUNDING_WEI)));
    const link: ChainLink = { kind: 'http', url: chain.rpcUrl };
    const deployed = await deployContracts(link, chain.chainId, deployerKey, keys.map((k) => addressOf(k.privateKey)), opts.spectrum, 25);
    const ledger = new Ledger(link, deployed.contract, chain.chainId, keys, { pollingIntervalMs: 25, receiptTimeoutMs: 30_000 });
    await ledger.#authorize();
    return ledger;
  }

  /** Deploys on a lab chain with the given deployer key (which needs gas funds); the operators approve the ledger. */
  static async deploy(rpcUrl: string, deployerKey: Hex, opts: DeployOptions & Omit<AttachOptions, 'rpcUrl' | 'contract' | 'operators'>): Promise<Ledger> {
    const keys = resolveKeys(opts.operators, opts.keySources);
    const key = normalizePrivateKey(deployerKey, 'ledger deployer key');
    const link: ChainLink = { kind: 'http', url: rpcUrl };
    const chainId = await createPublicClient({ transport: transportOf(link, 5000, 0) })
      .getChainId()
      .catch((err: unknown) => {
        throw new ComponentError(COMPONENT, `no answer from ${rpcUrl}: ${shortOf(err)}`, 'LEDGER_UNREACHABLE', { cause: err });
      });
    const addrs = keys.map((k) => addressOf(k.privateKey));
    const deployed = await deployContracts(link, chainId, key, addrs, opts.spectrum, opts.pollingIntervalMs ?? 250);
    const ledger = new Ledger(link, deployed.contract, chainId, keys, opts);
    await ledger.#authorize();
    log.info({ contract: deployed.contract, token: deployed.token, chainId }, 'ledger deployed');
    return ledger;
  }

  /** A client of an existing SpectrumLedger on a lab chain. Nothing is contacted until used. */
  static attach(opts: AttachOptions): Ledger {
    if (!/^https?:\/\//.test(opts.rpcUrl)) throw new ConfigError(`ledger.rpc: expected an http(s) URL, got ${opts.rpcUrl}`, 'LEDGER_BAD_ARGUMENT');
    if (!isAddress(opts.contract, { strict: false })) throw new ConfigError(`ledger.contract: expected a 0x-prefixed 20-byte address, got ${opts.contract}`, 'LEDGER_BAD_ARGUMENT');
    checkOperatorNames(opts.operators.map((o) => o.name));
    const keys = resolveKeys(opts.operators, opts.keySources);
    return new Ledger({ kind: 'http', url: opts.rpcUrl }, getAddress(opts.contract), undefined, keys, opts);
  }

  // ------------------------------------------------------------------ identity

  addresses(): Map<string, Address> {
    return new Map([...this.#ops.values()].map((o) => [o.name, o.address]));
  }

  /** One line for humans: where the ledger is and who signs. Holds no secret. */
  describe(): string {
    const info = this.#info ? `, W=${this.#info.bandUnits} units, supply ${this.#info.totalSupplyMicro} micro-tokens, token ${this.#info.token}` : '';
    const ops = [...this.#ops.values()].map((o) => `${o.name}=${o.address}`).join(' ');
    return `${this.rpcUrl}, chain ${this.#chain.id}, SpectrumLedger ${this.contract}${info}, operators ${ops}`;
  }

  // ------------------------------------------------------------------ bring-up

  /**
   * Fails fast (within timeoutMs) unless the chain answers, a SpectrumLedger is at the address,
   * every operator is registered and can pay for gas; then each operator approves the ledger to
   * escrow its tokens, if it has not yet.
   */
  async checkReachable(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ComponentError(COMPONENT, `${this.rpcUrl} did not complete the reachability check within ${timeoutMs} ms`, 'LEDGER_UNREACHABLE')), timeoutMs);
    });
    try {
      await Promise.race([this.#check(), expired]);
    } finally {
      clearTimeout(timer);
    }
    await this.#authorize();
  }

  async #check(): Promise<void> {
    let chainId: number;
    try {
      chainId = await this.#pub.getChainId();
    } catch (err) {
      throw new ComponentError(COMPONENT, `no answer from ${this.rpcUrl}: ${shortOf(err)}`, 'LEDGER_UNREACHABLE', { cause: err });
    }
    if (this.#chain.id !== 0 && this.#chain.id !== chainId)
      throw new ComponentError(COMPONENT, `${this.rpcUrl} is chain ${chainId}, expected ${this.#chain.id}`, 'LEDGER_WRONG_CHAIN');
    this.#chain = chainOf(chainId, this.link);
    const code = await this.#pub.getCode({ address: this.contract }).catch((err: unknown) => {
      throw new ComponentError(COMPONENT, `reading code at ${this.contract}: ${shortOf(err)}`, 'LEDGER_UNREACHABLE', { cause: err });
    });
    if (!code || code === '0x') throw new ComponentError(COMPONENT, `no contract code at ${this.contract} on chain ${chainId} (${this.rpcUrl})`, 'LEDGER_NO_CONTRACT');
    const info = await this.#readInfo().catch((err: unknown) => {
      throw new ComponentError(COMPONENT, `the contract at ${this.contract} does not answer as a SpectrumLedger: ${shortOf(err)}`, 'LEDGER_WRONG_CONTRACT', { cause: err });
    });
    const registered = new Set(info.operators.map((a) => a.toLowerCase()));
    for (const o of this.#ops.values())
      if (!registered.has(o.address.toLowerCase()))
        throw new ComponentError(COMPONENT, `operator ${o.name} (${o.address}) is not registered in the SpectrumLedger at ${this.contract}`, 'LEDGER_NOT_OPERATOR');
    const gasPrice = await this.#pub.getGasPrice();
    const need = gasPrice * MIN_GAS_UNITS;
    for (const o of this.#ops.values()) {
      const wei = await this.#pub.getBalance({ address: o.address });
      if (wei < need)
        throw new ComponentError(COMPONENT, `operator ${o.name} (${o.address}) cannot pay for gas: balance ${wei} wei, needs at least ${need} wei`, 'LEDGER_NO_GAS');
    }
    log.info({ where: this.rpcUrl, chainId, contract: this.contract, bandUnits: String(info.bandUnits) }, 'ledger reachable');
  }

  /** Each operator lets the ledger escrow its tokens (once: an unlimited allowance). */
  async #authorize(): Promise<void> {
    const info = await this.info();
    await settleAllOrThrow(
      [...this.#ops.values()].map(async (op) => {
        const allowance = await this.#pub.readContract({ address: info.token, abi: labTokenAbi, functionName: 'allowance', args: [op.address, this.contract] });
        if (allowance >= maxUint256 / 2n) return;
        const data = encodeFunctionData({ abi: labTokenAbi, functionName: 'approve', args: [this.contract, maxUint256] });
        await this.#transact(op, 'approve', 0n, data, info.token);
      }),
    );
    const market = this.#market;
    if (!market) return;
    // Each UE lets the market move its payments to the winner.
    await settleAllOrThrow(
      [...this.#ues.values()].map(async (ue) => {
        const data = encodeFunctionData({ abi: labTokenAbi, functionName: 'approve', args: [market.address, maxUint256] });
        await this.#transact(ue, 'approve', 0n, data, info.token);
      }),
    );
  }

  async #readInfo(): Promise<LedgerInfo> {
    if (this.#info) return this.#info;
    const c = { address: this.contract, abi: spectrumLedgerAbi } as const;
    const [bandUnits, price, epochMs, holdingBps, supply, operators, token] = await Promise.all([
      this.#pub.readContract({ ...c, functionName: 'bandUnits' }),
      this.#pub.readContract({ ...c, functionName: 'price' }),
      this.#pub.readContract({ ...c, functionName: 'epochMs' }),
      this.#pub.readContract({ ...c, functionName: 'holdingBps' }),
      this.#pub.readContract({ ...c, functionName: 'totalSupply' }),
      this.#pub.readContract({ ...c, functionName: 'operators' }),
      this.#pub.readContract({ ...c, functionName: 'token' }),
    ]);
    this.#info = { bandUnits, priceMicroPerUnitSecond: price, epochMs, holdingBps, totalSupplyMicro: supply, operators: [...operators], token };
    return this.#info;
  }

  /** The contract's fixed parameters (read once, then cached). */
  info(): Promise<LedgerInfo> {
    return this.#guard(() => this.#readInfo(), 'reading the contract parameters');
  }

  // ------------------------------------------------------------------ the epoch

  /** The epoch whose request window is open (a second trial on the same contract continues from it). */
  currentEpoch(): Promise<bigint> {
    return this.#guard(() => this.#pub.readContract({ address: this.contract, abi: spectrumLedgerAbi, functionName: 'currentEpoch' }), 'reading the current epoch');
  }

  /** Operator `name` requests `units` for the open `epoch` (signed with its own key). */
  async request(epoch: IntLike, name: string, units: IntLike): Promise<void> {
    const e = uint(epoch, 'epoch');
    await this.#transact(this.#op(name), 'request', e, encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'request', args: [e, uint(units, 'units')] }));
  }

  /** Every operator's request for the epoch, sent concurrently. */
  async requestAll(epoch: IntLike, demands: Map<string, IntLike>): Promise<void> {
    await settleAllOrThrow([...demands].map(([name, units]) => this.request(epoch, name, units)));
  }

  /**
   * Decides the epoch (any operator may send it; default the operators in turn) and returns the
   * grants as the contract's Granted events state them.
   */
  async decide(epoch: IntLike, by?: string): Promise<Map<string, Grant>> {
    const e = uint(epoch, 'epoch');
    const sender = this.#op(by ?? this.operatorNames[Number(e % BigInt(this.operatorNames.length))]!);
    const info = await this.info();
    const receipt = await this.#transact(sender, 'decide', e, encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'decide', args: [e] }));
    return grantsOf(receipt, this.contract, e, info.bandUnits, this.#byAddress, this.operatorNames);
  }

  /** Operator `name` settles its measured use of `epoch` with the digest of its measurements. */
  async settle(epoch: IntLike, name: string, usedUnits: IntLike, measurements: Hex = ZERO_DIGEST): Promise<Settlement> {
    const e = uint(epoch, 'epoch');
    const op = this.#op(name);
    const data = encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'settle', args: [e, uint(usedUnits, 'usedUnits'), measurements] });
    return settlementOf(await this.#transact(op, 'settle', e, data), this.contract, e, op.address, name);
  }

  /** After the deadline, `by` settles `name`'s epoch at its full grant. */
  async settleOverdue(epoch: IntLike, name: string, by: string): Promise<Settlement> {
    const e = uint(epoch, 'epoch');
    const target = this.#op(name);
    const data = encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'settleOverdue', args: [e, target.address] });
    return settlementOf(await this.#transact(this.#op(by), 'settleOverdue', e, data), this.contract, e, target.address, name);
  }

  // ------------------------------------------------------------------ reads

  /**
   * Every operator's token balance in micro-tokens: read from the chain once (all at one block),
   * then kept from the token's Transfer events in the receipts of this client's transactions, so
   * an epoch's read costs no round trip. chainBalances() reads the chain and checks the two agree.
   */
  async balances(): Promise<Map<string, bigint>> {
    return this.#guard(async () => {
      const kept = this.#book.current();
      if (kept) return this.#byName(kept);
      const generation = this.#book.generation;
      const { block, values } = await this.#readBalances();
      this.#book.seed(block, values, generation);
      return this.#byName(values);
    }, 'reading balances');
  }

  /**
   * Every operator's balance as the chain states it now (all at one block). When nothing is in
   * flight, the balances kept from receipts are compared with it: a difference (tokens moved by a
   * transaction this client did not send) is logged per operator, and the book starts again from
   * this read.
   */
  async chainBalances(): Promise<Map<string, bigint>> {
    return this.#guard(async () => {
      const quiet = this.#inFlight.size === 0;
      const generation = this.#book.generation;
      const kept = this.#book.current();
      const { block, values } = await this.#readBalances();
      if (quiet && this.#inFlight.size === 0 && kept && block >= this.#book.lastBlock) {
        const moved = [...values].filter(([a, v]) => kept.get(a) !== v).map(([a, v]) => `${this.#label(a)}: kept ${kept.get(a)}, chain ${v}`);
        if (moved.length) log.warn({ block: String(block), moved }, 'operator balances moved outside this ledger client; using the chain\'s');
        this.#book.drop();
        this.#book.seed(block, values, this.#book.generation);
      } else this.#book.seed(block, values, generation);
      return this.#byName(values);
    }, 'reading balances from the chain');
  }

  async #readBalances(): Promise<{ block: bigint; values: Map<string, bigint> }> {
    const block = await this.#pub.getBlockNumber({ cacheTime: 0 });
    const ops = [...this.#ops.values()];
    const values = await Promise.all(
      ops.map((o) => this.#pub.readContract({ address: this.contract, abi: spectrumLedgerAbi, functionName: 'balanceOf', args: [o.address], blockNumber: block })),
    );
    return { block, values: new Map(ops.map((o, i) => [o.address.toLowerCase(), values[i]!])) };
  }

  #byName(byAddress: Map<string, bigint>): Map<string, bigint> {
    return new Map([...this.#ops.values()].map((o) => [o.name, byAddress.get(o.address.toLowerCase()) ?? 0n]));
  }

  /** The token's fixed total supply in micro-tokens. */
  totalSupply(): Promise<bigint> {
    return this.#guard(() => this.#pub.readContract({ address: this.contract, abi: spectrumLedgerAbi, functionName: 'totalSupply' }), 'reading the total supply');
  }

  /** The last epoch of the operator's fairness lock-out (0: never locked out). */
  lockedUntil(name: string): Promise<bigint> {
    const op = this.#op(name);
    return this.#guard(() => this.#pub.readContract({ address: this.contract, abi: spectrumLedgerAbi, functionName: 'lockedUntil', args: [op.address] }), 'reading a lock-out');
  }

  /** Tokens held in escrow by the contract (decided, unsettled grants). */
  escrowed(): Promise<bigint> {
    return this.#guard(() => this.#pub.readContract({ address: this.contract, abi: spectrumLedgerAbi, functionName: 'escrowed' }), 'reading the escrow');
  }

  /** The grants of a decided epoch (name -> units); undefined if not decided. */
  async grants(epoch: IntLike): Promise<Map<string, number> | undefined> {
    const e = uint(epoch, 'epoch');
    return this.#guard(async () => {
      const c = { address: this.contract, abi: spectrumLedgerAbi } as const;
      const blockNumber = await this.#pub.getBlockNumber({ cacheTime: 0 });
      if (!(await this.#pub.readContract({ ...c, functionName: 'decided', args: [e], blockNumber }))) return undefined;
      const ops = [...this.#ops.values()];
      const units = await Promise.all(ops.map((o) => this.#pub.readContract({ ...c, functionName: 'grantOf', args: [e, o.address], blockNumber })));
      return new Map(ops.map((o, i) => [o.name, Number(units[i])]));
    }, `reading the grants of epoch ${e}`);
  }

  /** The contract's allocation and settlement records for epochs first..last, from its event log. */
  records(first: number, last: number): Promise<LedgerRecords> {
    return this.#guard(() => readLedgerRecords(this.link, this.contract, first, last), 'reading the spectrum records');
  }

  /** Waits for every transaction in flight; the embedded chain goes with this object. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
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
    const wei = ((await this.#pub.getGasPrice()) * 3n) / 2n;
    this.#gasPriceCache = { wei, at: now };
    return wei;
  }

  #label = (address: string) => this.#byAddress.get(address.toLowerCase()) ?? 'not an operator';

  #txError(op: Operator, what: LedgerCall, epoch: bigint, err: unknown, stage: string): Error {
    if (err instanceof ComponentError || err instanceof ConfigError) return err;
    const reverted = isRevert(err) || revertDataOf(err) !== undefined;
    const outOfGas = /out of gas/i.test(shortOf(err)) || /ran out of gas/i.test(String((err as { details?: unknown }).details ?? ''));
    if (outOfGas) return new ComponentError(COMPONENT, `${what} by ${op.name} ${aboutOf(what, epoch)} ran out of gas (limit ${gasLimit(what, this.operatorNames.length)})`, 'LEDGER_OUT_OF_GAS', { cause: err });
    const message = reverted
      ? `${what} by ${op.name} ${aboutOf(what, epoch)} reverted: ${describeRevert(err, REVERT_ABI, this.#label)}`
      : `${what} by ${op.name} ${aboutOf(what, epoch)} failed (${stage}): ${shortOf(err)}`;
    return new ComponentError(COMPONENT, this.#scrub(message), reverted ? 'LEDGER_REVERTED' : 'LEDGER_TX_FAILED', { cause: err });
  }

  /** Signs and sends one transaction as `op` (nonce counted by the sender), waits for its receipt. */
  #transact(op: Operator, what: LedgerCall, epoch: bigint, data: Hex, to: Address = this.contract): Promise<TransactionReceipt> {
    const run = async (): Promise<TransactionReceipt> => {
      if (this.#closed) throw new ComponentError(COMPONENT, `${what} by ${op.name} ${aboutOf(what, epoch)}: the ledger client is closed`, 'LEDGER_CLOSED');
      let stage = 'sending';
      try {
        if (this.#chain.id === 0) this.#chain = chainOf(await this.#pub.getChainId(), this.link);
        const gasPrice = await this.#gasPrice();
        const gas = gasLimit(what, this.operatorNames.length);
        // Legacy type: accepted by every EVM chain, London or not, zero-fee QBFT too.
        const receipt = await this.#sender.send(op.address, op.signer, { chainId: this.#chain.id, to, data, gas, gasPrice }, () => (stage = 'waiting for the receipt')).catch((err: unknown) => {
          // Mined or not (a send that timed out may still be), its transfers are unknown:
          // balances are read from the chain next time.
          this.#book.drop();
          if (err instanceof ReceiptUnknownError) throw err.cause;
          this.#gasPriceCache = undefined;
          throw err;
        });
        const hash = receipt.transactionHash;
        this.#book.record(receipt, this.#info?.token);
        if (receipt.status !== 'success') {
          let reason = receipt.gasUsed === gas ? `out of gas (limit ${gas})` : 'status 0 (reverted)';
          try {
            await this.#pub.call({ account: op.address, to, data, gas, blockNumber: receipt.blockNumber - 1n });
          } catch (err) {
            reason = describeRevert(err, REVERT_ABI, this.#label);
          }
          throw new ComponentError(COMPONENT, this.#scrub(`${what} by ${op.name} ${aboutOf(what, epoch)} reverted on chain (tx ${hash}): ${reason}`), 'LEDGER_REVERTED');
        }
        log.debug({ what, operator: op.name, epoch: String(epoch), tx: hash, gasUsed: String(receipt.gasUsed) }, 'ledger transaction');
        return receipt;
      } catch (err) {
        throw this.#txError(op, what, epoch, err, stage);
      }
    };
    const p = run();
    this.#inFlight.add(p);
    void p.catch(() => undefined).finally(() => this.#inFlight.delete(p));
    return p;
  }
}

