// The compute market (contracts/ComputeMarket.sol, seeds/003) from TypeScript: edge owners
// register, update and withdraw services; a trial discovers the active ones for its model,
// picks the cheapest whose predicted latency meets the QoAIS, opens a computing session with a
// deposit, and the service owner settles it with the measured compute time.
import { createPublicClient, createWalletClient, custom, decodeEventLog, erc20Abi, parseAbi, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { loadArtifact } from './artifact.js';
import { describeRevert, isRevert, shortOf } from './revert.js';
import type { Eip1193 } from './inprocess.js';

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

export class ComputeMarket {
  private readonly pub: PublicClient;

  constructor(
    private readonly provider: Eip1193,
    readonly address: Address,
  ) {
    this.pub = createPublicClient({ transport: custom(provider) });
  }

  private async send(key: Hex, write: (w: ReturnType<typeof createWalletClient>, a: PrivateKeyAccount) => Promise<Hex>) {
    const account = privateKeyToAccount(key);
    const w = createWalletClient({ account, transport: custom(this.provider) });
    let hash: Hex;
    try {
      hash = await write(w, account);
    } catch (err) {
      // A refusal by the contract, by its error's name (NotOwner(...), SessionClosed(...)).
      throw new Error(`compute market: ${isRevert(err) ? describeRevert(err, computeMarketAbi, (a) => a) : shortOf(err)}`, { cause: err });
    }
    const r = await this.pub.waitForTransactionReceipt({ hash, pollingInterval: 5 });
    if (r.status !== 'success') throw new Error(`compute market transaction ${r.transactionHash} reverted`);
    return r;
  }

  static async deploy(provider: Eip1193, deployerKey: Hex, token: Address): Promise<ComputeMarket> {
    const account = privateKeyToAccount(deployerKey);
    const w = createWalletClient({ account, transport: custom(provider) });
    const pub = createPublicClient({ transport: custom(provider) });
    const hash = await w.deployContract({ abi: computeMarketAbi, bytecode: loadArtifact('ComputeMarket').bytecode, args: [token], account, chain: null });
    const r = await pub.waitForTransactionReceipt({ hash, pollingInterval: 5 });
    return new ComputeMarket(provider, r.contractAddress!);
  }

  async register(ownerKey: Hex, s: { endpoint: string; model: string; priceMicroPerSecond: bigint; capacity: number }): Promise<bigint> {
    const r = await this.send(ownerKey, (w, account) =>
      w.writeContract({ address: this.address, abi: computeMarketAbi, functionName: 'register', args: [s.endpoint, s.model, s.priceMicroPerSecond, s.capacity], account, chain: null }),
    );
    return this.eventArg(r.logs, 'ServiceRegistered', 'id');
  }

  async update(ownerKey: Hex, id: bigint, s: { endpoint: string; priceMicroPerSecond: bigint; capacity: number }): Promise<void> {
    await this.send(ownerKey, (w, account) => w.writeContract({ address: this.address, abi: computeMarketAbi, functionName: 'update', args: [id, s.endpoint, s.priceMicroPerSecond, s.capacity], account, chain: null }));
  }

  async withdraw(ownerKey: Hex, id: bigint): Promise<void> {
    await this.send(ownerKey, (w, account) => w.writeContract({ address: this.address, abi: computeMarketAbi, functionName: 'withdraw', args: [id], account, chain: null }));
  }

  /** Every service on chain (discovery). */
  async services(): Promise<ComputeService[]> {
    const n = await this.pub.readContract({ address: this.address, abi: computeMarketAbi, functionName: 'serviceCount' });
    const out: ComputeService[] = [];
    for (let id = 0n; id < n; id++) out.push({ id, ...(await this.pub.readContract({ address: this.address, abi: computeMarketAbi, functionName: 'serviceOf', args: [id] })) });
    return out;
  }

  /** Approves the deposit and opens the session (payer signs both). */
  async openSession(payerKey: Hex, token: Address, serviceId: bigint, depositMicro: bigint): Promise<bigint> {
    await this.send(payerKey, (w, account) => w.writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [this.address, depositMicro], account, chain: null }));
    const r = await this.send(payerKey, (w, account) => w.writeContract({ address: this.address, abi: computeMarketAbi, functionName: 'openSession', args: [serviceId, depositMicro], account, chain: null }));
    return this.eventArg(r.logs, 'SessionOpened', 'id');
  }

  async settle(ownerKey: Hex, sessionId: bigint, computeMicros: bigint): Promise<Settled> {
    const r = await this.send(ownerKey, (w, account) => w.writeContract({ address: this.address, abi: computeMarketAbi, functionName: 'settle', args: [sessionId, computeMicros], account, chain: null }));
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
