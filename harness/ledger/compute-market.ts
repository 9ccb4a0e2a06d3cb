// The compute market (contracts/ComputeMarket.sol, seeds/003) from TypeScript: edge owners
// register, update and withdraw services; a trial discovers the active ones for its model,
// picks the cheapest whose predicted latency meets the QoAIS, opens a computing session with a
// deposit, and the service owner settles it with the measured compute time. In a trial it is
// deployed with the ledger (same chain, same LabToken) and its callers are ledger operators.
import { createPublicClient, createWalletClient, custom, decodeEventLog, encodeFunctionData, erc20Abi, parseAbi, type Address, type Hex, type PublicClient, type TransactionReceipt, type Transport } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ConfigError } from '../errors.js';
import { loadArtifact } from './artifact.js';
import type { ComputeCall } from './gas.js';
import type { Eip1193 } from './inprocess.js';
import type { Ledger } from './ledger.js';
import { transportOf } from './link.js';
import { describeRevert, isRevert, shortOf } from './revert.js';

export const computeMarketAbi = parseAbi([
  'constructor(address token_)',
  'function serviceCount() view returns (uint256)',
  'function serviceOf(uint256 id) view returns ((address owner, string endpoint, string model, uint256 priceMicroPerSecond, uint32 capacity, bool active))',
  'function sessionOf(uint256 id) view returns ((uint256 serviceId, address payer, uint256 depositMicro, uint256 priceMicroPerSecond, bool settled))',
  'function register(string endpoint, string model, uint256 priceMicroPerSecond, uint32 capacity) returns (uint256)',
  'function update(uint256 id, string endpoint, uint256 priceMicroPerSecond, uint32 capacity)',
  'function withdraw(uint256 id)',
  'function openSession(uint256 serviceId, uint256 depositMicro) returns (uint256)',
  'function settle(uint256 sessionId, uint256 computeMicros) returns (uint256)',
  'event ServiceRegistered(uint256 indexed id, address indexed owner, string endpoint, string model, uint256 priceMicroPerSecond, uint32 capacity)',
  'event SessionOpened(uint256 indexed id, uint256 indexed serviceId, address indexed payer, uint256 depositMicro, uint256 priceMicroPerSecond)',
  'event SessionSettled(uint256 indexed id, uint256 indexed serviceId, address indexed owner, uint256 computeMicros, uint256 paidMicro, uint256 refundMicro)',
  'error NotOwner(uint256 serviceId, address account)',
  'error ServiceWithdrawn(uint256 id)',
  'error SessionClosed(uint256 id)',
]);

export interface ComputeService {
  id: bigint;
  owner: Address;
  endpoint: string;
  model: string;
  priceMicroPerSecond: bigint;
  capacity: number;
  active: boolean;
}

export interface Settled {
  sessionId: bigint;
  computeMicros: bigint;
  paidMicro: bigint;
  refundMicro: bigint;
}

/** The exact payment the contract makes: compute µs x price (µtokens per second) / 1e6, floored, capped at the deposit. */
export function computePayment(computeMicros: bigint, priceMicroPerSecond: bigint, depositMicro: bigint): bigint {
  const p = (computeMicros * priceMicroPerSecond) / 1_000_000n;
  return p > depositMicro ? depositMicro : p;
}

/** Of the active services for `model`, the cheapest whose predicted latency meets the bound (ties: lower id); null if none. */
export function pickService(services: ComputeService[], model: string, predictMs: (s: ComputeService) => number, p99Ms?: number): ComputeService | null {
  const ok = services.filter((s) => s.active && s.model === model && (p99Ms === undefined || predictMs(s) <= p99Ms));
  return ok.reduce<ComputeService | null>((best, s) => (!best || s.priceMicroPerSecond < best.priceMicroPerSecond ? s : best), null);
}

/**
 * Who signs a market call: a key of its own (a standalone chain, tests), or an operator of the
 * ledger (a trial: same chain, same token, the ledger's nonces; the key never leaves it).
 */
export interface MarketSigner {
  send(what: ComputeCall | 'approve', to: Address, data: Hex): Promise<TransactionReceipt>;
}

/** A signer holding its own key, on a chain reached through `provider`. */
export function keySigner(provider: Eip1193, key: Hex): MarketSigner {
  const account = privateKeyToAccount(key);
  const w = createWalletClient({ account, transport: custom(provider) });
  const pub = createPublicClient({ transport: custom(provider) });
  return {
    async send(_what, to, data) {
      let hash: Hex;
      try {
        hash = await w.sendTransaction({ account, to, data, chain: null });
      } catch (err) {
        // A refusal by the contract, by its error's name (NotOwner(...), SessionClosed(...)).
        throw new Error(`compute market: ${isRevert(err) ? describeRevert(err, computeMarketAbi, (a) => a) : shortOf(err)}`, { cause: err });
      }
      const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: 5 });
      if (r.status !== 'success') throw new Error(`compute market transaction ${r.transactionHash} reverted`);
      return r;
    },
  };
}

/** Operator `name` of the ledger signs (the ledger's own account, nonces and gas). */
export function ledgerSigner(ledger: Pick<Ledger, 'sendAs'>, name: string): MarketSigner {
  return { send: (what, to, data) => ledger.sendAs(name, what, to, data) };
}

type SignerLike = Hex | MarketSigner;

export class ComputeMarket {
  private readonly pub: PublicClient;

  constructor(
    private readonly provider: Eip1193 | null,
    readonly address: Address,
    transport: Transport = custom(provider!),
  ) {
    this.pub = createPublicClient({ transport });
  }

  /** The market deployed with a ledger: read through the ledger's link, signed by its operators. */
  static ofLedger(ledger: Pick<Ledger, 'link' | 'computeMarket'>): ComputeMarket {
    if (!ledger.computeMarket) throw new ConfigError('compute market: the ledger was deployed without one', 'LEDGER_NO_COMPUTE_MARKET');
    return new ComputeMarket(null, ledger.computeMarket, transportOf(ledger.link, 10_000));
  }

  private signer(s: SignerLike): MarketSigner {
    if (typeof s !== 'string') return s;
    if (!this.provider) throw new ConfigError('compute market: a ledger-backed market signs with ledger operators, not keys', 'LEDGER_BAD_ARGUMENT');
    return keySigner(this.provider, s);
  }

  private write(by: SignerLike, what: ComputeCall, data: Hex) {
    return this.signer(by).send(what, this.address, data);
  }

  static async deploy(provider: Eip1193, deployerKey: Hex, token: Address): Promise<ComputeMarket> {
    const account = privateKeyToAccount(deployerKey);
    const w = createWalletClient({ account, transport: custom(provider) });
    const pub = createPublicClient({ transport: custom(provider) });
    const hash = await w.deployContract({ abi: computeMarketAbi, bytecode: loadArtifact('ComputeMarket').bytecode, args: [token], account, chain: null });
    const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: 5 });
    return new ComputeMarket(provider, r.contractAddress!);
  }

  async register(owner: SignerLike, s: { endpoint: string; model: string; priceMicroPerSecond: bigint; capacity: number }): Promise<bigint> {
    const r = await this.write(owner, 'computeRegister', encodeFunctionData({ abi: computeMarketAbi, functionName: 'register', args: [s.endpoint, s.model, s.priceMicroPerSecond, s.capacity] }));
    return this.eventArg(r.logs, 'ServiceRegistered', 'id');
  }

  async update(owner: SignerLike, id: bigint, s: { endpoint: string; priceMicroPerSecond: bigint; capacity: number }): Promise<void> {
    await this.write(owner, 'computeRegister', encodeFunctionData({ abi: computeMarketAbi, functionName: 'update', args: [id, s.endpoint, s.priceMicroPerSecond, s.capacity] }));
  }

  async withdraw(owner: SignerLike, id: bigint): Promise<void> {
    await this.write(owner, 'computeRegister', encodeFunctionData({ abi: computeMarketAbi, functionName: 'withdraw', args: [id] }));
  }

  /** An account's token balance (micro-tokens): the market's own is the deposits it holds. */
  tokenBalance(token: Address, account: Address): Promise<bigint> {
    return this.pub.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [account] });
  }

  /** Every service on chain (discovery). */
  async services(): Promise<ComputeService[]> {
    const n = await this.pub.readContract({ address: this.address, abi: computeMarketAbi, functionName: 'serviceCount' });
    const out: ComputeService[] = [];
    for (let id = 0n; id < n; id++) out.push({ id, ...(await this.pub.readContract({ address: this.address, abi: computeMarketAbi, functionName: 'serviceOf', args: [id] })) });
    return out;
  }

  /** Approves the deposit and opens the session (payer signs both). */
  async openSession(payer: SignerLike, token: Address, serviceId: bigint, depositMicro: bigint): Promise<bigint> {
    const p = this.signer(payer);
    await p.send('approve', token, encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [this.address, depositMicro] }));
    const r = await this.write(p, 'computeOpen', encodeFunctionData({ abi: computeMarketAbi, functionName: 'openSession', args: [serviceId, depositMicro] }));
    return this.eventArg(r.logs, 'SessionOpened', 'id');
  }

  async settle(owner: SignerLike, sessionId: bigint, computeMicros: bigint): Promise<Settled> {
    const r = await this.write(owner, 'computeSettle', encodeFunctionData({ abi: computeMarketAbi, functionName: 'settle', args: [sessionId, computeMicros] }));
    for (const l of r.logs) {
      try {
        const e = decodeEventLog({ abi: computeMarketAbi, data: l.data, topics: l.topics });
        if (e.eventName === 'SessionSettled') return { sessionId: e.args.id, computeMicros: e.args.computeMicros, paidMicro: e.args.paidMicro, refundMicro: e.args.refundMicro };
      } catch {
        // another contract's log (the token's Transfer)
      }
    }
    throw new Error('settle: no SessionSettled event');
  }

  private eventArg(logs: readonly { data: Hex; topics: readonly Hex[] }[], name: 'ServiceRegistered' | 'SessionOpened', _arg: 'id'): bigint {
    for (const l of logs) {
      try {
        const e = decodeEventLog({ abi: computeMarketAbi, data: l.data, topics: l.topics as [Hex, ...Hex[]] });
        if (e.eventName === name) return e.args.id;
      } catch {
        // not this contract's
      }
    }
    throw new Error(`no ${name} event`);
  }
}
