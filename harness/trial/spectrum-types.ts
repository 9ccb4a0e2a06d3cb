// The spectrum trial's options, per-epoch records and result (spectrum.ts runs it).
import type { Policy, Strategy } from '../rig/index.js';
import type { UeMarketReport } from './uemarket.js';

export interface SpectrumTrialOptions {
  policy: Policy;
  epochs: number;
  epochMs: number;
  kpmPeriodMs: number;
  /** Seeds the random policy and the bursty operators' traffic. */
  seed: number;
  /** Completed epochs are appended here as they finish, so a caller keeps them if the trial fails. */
  records?: EpochRecord[];
}

/** One epoch's late start, as the report lists it. */
export interface EpochOverrun {
  epoch: number;
  lateMs: number;
}

export interface OperatorEpoch {
  operator: string;
  strategy: Strategy;
  /** Units requested (the strategy's demand this epoch). */
  demandUnits: number;
  grantUnits: number;
  grantMHz: number;
  /** Units of its grant the operator transmitted on (the PRB quota its cells were given). */
  useUnits: number;
  /** Use measured from KPM, in token units (settled, capped at the grant). */
  usedUnits: number;
  throughputMbps: number;
  /** Spent + holding charge (tokens); 0 without a ledger. */
  costTokens: number;
  /** Balance after the epoch's settlements (tokens); null without a ledger. */
  balanceTokens: number | null;
  /** Set when this epoch's decision locked the operator out (fairness): its last epoch without a grant, as a trial epoch. */
  lockedOutUntil?: number;
  /** From the epoch's first control to the last acknowledgement (its cells' grants in effect), ms. */
  timeToEffectMs?: number;
  /** A cell of the operator changed carrier this epoch (a restart, for srsRAN). */
  retuned?: boolean;
  /** Its grant held no carrier its cells can use: they were off this epoch. */
  offAir?: boolean;
  /** A cell reported no PRB use: its use was settled as the PRBs of the carrier it had on air. */
  usedFromCarrier?: boolean;
}

export interface EpochRecord {
  epoch: number;
  /** The contract's epoch number (null without a ledger). */
  chainEpoch: number | null;
  /** The window's start (ns, the trial's clock): t0 + (epoch - 1) x epochMs, on schedule. */
  startNs: bigint;
  jain: number;
  /**
   * Set when the epoch overran: its grants were not in effect at its window's start (the
   * decision or the controls were late), by this many ms. The window itself still started and
   * ended on schedule.
   */
  overrunMs?: number;
  /** KPM indications collected in the epoch's window (all cells). */
  kpmIndications?: number;
  operators: OperatorEpoch[];
}

export interface SpectrumTrialResult {
  epochs: EpochRecord[];
  /** Exact final balances, micro-tokens, read from the contract after the last settlement (ledger policy only). */
  finalBalancesMicro?: Map<string, bigint>;
  initialSupplyMicro?: bigint;
  finalSupplyMicro?: bigint;
  /** trial.ueMarket: each UE's winner, price and paid total, and the operators' balances. */
  ueMarket?: UeMarketReport;
}

