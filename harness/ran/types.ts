// The BaseStation interface every RAN driver implements (e2 gRPC, later srsRAN Project,
// srsRAN 4G, OAI). Measurement names follow 3GPP TS 28.552 as O-RAN E2SM-KPM uses them;
// units are normalised here whatever the agent reports (see README, InfluxDB schema).

export interface CellInfo {
  id: string;
  rat: 'NR' | 'LTE';
  band: string;
  /** Carrier centre frequency, MHz. */
  carrierMHz: number;
  bandwidthMHz: number;
  scsKHz: number;
  pci: number;
  /** Resource blocks the carrier holds (3GPP tables for bandwidth and numerology). */
  prbTotal: number;
  on: boolean;
  /** What a grant can be: any PRB range (the twin), or a standard carrier plus a ratio quota (srsRAN). */
  grants: 'prb-range' | 'carrier-and-ratio';
}

export interface RanFunction {
  id: number;
  name: string;
  oid: string;
}

export interface SetupInfo {
  nodeId: string;
  operator: string;
  cells: CellInfo[];
  ranFunctions: RanFunction[];
  /** The agent's backend and the base station behind it, when the agent says (preflight shows them). */
  backend?: string;
  baseStation?: string;
  /** What the base station's binary says its version is (srsRAN `gnb --version`), when the agent asked. */
  baseStationVersion?: string;
}

/**
 * RC control actions. `prbQuota` gives a cell a contiguous PRB range; `cellState` turns it on
 * or off; `carrier` retunes a carrier-and-ratio cell; `prbRatio` sets its slice's PRB ratio
 * (nPrb: the PRBs that ratio means in the current carrier, what KPM should then report).
 */
export type ControlAction =
  | { kind: 'prbQuota'; cellId: string; startPrb: number; nPrb: number }
  | { kind: 'cellState'; cellId: string; on: boolean }
  | { kind: 'carrier'; cellId: string; carrierMHz: number; bandwidthMHz: number }
  | { kind: 'prbRatio'; cellId: string; maxRatioPct: number; nPrb: number };

export interface ControlAck {
  cellId: string;
  /** When the change took effect at the node, ns since the Unix epoch (node's clock). */
  effectiveNs: bigint;
}

export interface UeKpm {
  ueId: string;
  /** DRB.UEThpDl, kbit/s. */
  thpDlKbps: number;
  /** PRBs scheduled for this UE (share of RRU.PrbUsedDl). */
  prbUsedDl?: number;
  /** Absent when the agent has no such reading (srsRAN reports no RSRP and no downlink SINR). */
  cqi?: number;
  sinrDb?: number;
  rsrpDbm?: number;
  /** DRB.UEThpUl, kbit/s; undefined when the agent does not report the uplink. */
  thpUlKbps?: number;
  /** RRU.PrbUsedUl: PRBs scheduled for this UE's uplink, averaged over the period. */
  prbUsedUl?: number;
  /** Wideband uplink (PUSCH) SINR at the base station, dB (SINR.UL, a ranlab extension). */
  sinrUlDb?: number;
}

export interface KpmIndication {
  nodeId: string;
  cellId: string;
  /** Start of the granularity period, ns since the Unix epoch (node's clock). */
  timestampNs: bigint;
  periodMs: number;
  /** RRU.PrbAvailDl: PRBs available to this cell's scheduler (its quota). */
  prbAvailDl: number;
  /** RRU.PrbUsedDl: PRBs used; undefined when the agent cannot report PRB use. */
  prbUsedDl?: number;
  /** RRU.PrbTotDl: used PRBs as % of the carrier's total. */
  prbTotDlPct: number;
  /** DRB.UEThpDl summed over the cell's UEs, kbit/s. */
  thpDlKbps: number;
  /** RRU.PrbAvailUl / RRU.PrbUsedUl / RRU.PrbTotUl (%) / DRB.UEThpUl (kbit/s); undefined when not reported. */
  prbAvailUl?: number;
  prbUsedUl?: number;
  prbTotUlPct?: number;
  thpUlKbps?: number;
  ues: UeKpm[];
}

export interface KpmSubscription {
  close(): void;
}

/** What shutdown() could confirm: every cell not in `notConfirmedOff` was acknowledged off. */
export interface ShutdownOutcome {
  notConfirmedOff: { cellId: string; reason: string }[];
}

export interface BaseStation {
  readonly id: string;
  /** E2 setup: identity, cells and RAN functions. Fails with ComponentError if unreachable. */
  setup(): Promise<SetupInfo>;
  control(action: ControlAction): Promise<ControlAck>;
  /** Stream KPM indications every periodMs; onError is called once if the stream breaks. */
  subscribe(periodMs: number, onIndication: (ind: KpmIndication) => void, onError: (err: Error) => void): KpmSubscription;
  /**
   * Every cell off (the radio's safe state), bounded in time. Never rejects: resolves with the
   * cells whose switch-off the agent did not acknowledge (all of them when it cannot be reached).
   */
  shutdown(): Promise<ShutdownOutcome>;
  /** Release the connection. */
  close(): void;
  /** Twin agents on virtual time only: advance the agent to `toNs` (its KPM up to then is sent). */
  advance?(toNs: bigint): Promise<{ indications: number }>;
  /** KPM indications accepted, dropped beyond the agent's rate bound, and cells restored after drift. */
  readonly stats: { accepted: number; dropped: number; restored: number };
}
