// The ledger client's public types: how it is reached and deployed, and what it reads back.
import type { Address, Hex } from 'viem';
import type { AccountSource, KeySourceOptions } from './keys.js';
import type { SpectrumConfig } from './units.js';

/** An operator's signing key: given directly, or named by its rig-file source (keyFile / keyEnv). */
export type OperatorKey = { name: string; privateKey: Hex } | { name: string; account: AccountSource };

export interface AttachOptions {
  rpcUrl: string;
  /** The deployed SpectrumLedger's address. */
  contract: Address;
  operators: OperatorKey[];
  keySources?: KeySourceOptions;
  /** Per JSON-RPC request (default 10 s). */
  requestTimeoutMs?: number;
  /** How long to wait for a transaction's receipt (default 60 s). */
  receiptTimeoutMs?: number;
  /** Receipt polling period (default 250 ms). */
  pollingIntervalMs?: number;
}

export interface EmbeddedOptions {
  /** Operator names, in contract (index) order. */
  operators: string[];
  /** Unused since the embedded chain runs in this process (kept for callers). */
  dataDir?: string;
  spectrum: SpectrumConfig;
  /** UEs of the UE market: each gets an account funded with `tokens` out of the supply (the operators share the rest). */
  ues?: { name: string; tokens: number }[];
  /** Also deploy the ComputeMarket bound to the same token (offload trials' compute payments). */
  computeMarket?: boolean;
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
  epochMs: bigint;
  holdingBps: bigint;
  totalSupplyMicro: bigint;
  operators: Address[];
  token: Address;
}

/** One operator's grant as the Granted event states it: its segment of the band and the escrow. */
export interface Grant {
  startUnit: number;
  units: number;
  escrowMicro: bigint;
  /** Set when this decision locked the operator out (fairness): the last epoch it gets no grant. */
  lockedOutUntil?: number;
}

/** What a settlement moved (micro-tokens), from the Settled event. */
export interface Settlement {
  usedUnits: number;
  spentMicro: bigint;
  holdingMicro: bigint;
  refundMicro: bigint;
  overdue: boolean;
}
