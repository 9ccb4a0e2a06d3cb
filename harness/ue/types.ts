// The Ue interface every UE driver implements (AT modem over a serial port; later srsUE), and
// the parsed shapes its replies take. Units are in the names; values the modem printed as `-`
// ("invalid under current condition") or as a sentinel (-32768, 65535, CQI 255) are null.

/** What `ATI`, `AT+CGSN` and `AT+CIMI` say. */
export interface UeIdentity {
  manufacturer: string;
  model: string;
  revision: string;
  imei: string;
  /** Null when the SIM does not answer (no SIM, PIN required). */
  imsi: string | null;
}

/** `AT+CFUN?`: 0 minimum functionality, 1 full, 4 RF off (others are vendor-specific). */
export type PowerState = 0 | 1 | 4 | number;

/** 27.007 registration `<stat>`. */
export type RegStat = 0 | 1 | 2 | 3 | 4 | 5 | 8 | number;

export type RegDomain = 'CREG' | 'CGREG' | 'CEREG' | 'C5GREG';

/** A registration read reply (`+CEREG: <n>,<stat>[,...]`) or URC (`+CEREG: <stat>[,...]`). */
export interface Registration {
  domain: RegDomain;
  /** The `<n>` field: only in read replies. */
  n: number | null;
  stat: RegStat;
  /** stat 1 (home) or 5 (roaming). */
  registered: boolean;
  /** Tracking/location area code, hex as printed. */
  tac: string | null;
  /** Cell identity, hex as printed. */
  ci: string | null;
  /** Access technology: 7 E-UTRAN, 10 E-UTRAN->5GCN, 11 NR->5GCN, 13 EN-DC. */
  act: number | null;
}

export type ServingState = 'SEARCH' | 'LIMSRV' | 'NOCONN' | 'CONNECT';
export type ServingRat = 'LTE' | 'NR5G-SA' | 'NR5G-NSA';

/** One radio's figures from `AT+QENG="servingcell"`. */
export interface CellMeasurement {
  /** 'TDD' or 'FDD'; null for the NR5G-NSA line, which has no duplex field. */
  duplex: 'TDD' | 'FDD' | null;
  /** Kept as strings: leading zeros matter (`01`). */
  mcc: string | null;
  mnc: string | null;
  /** Cell identity, hex as printed (28-bit LTE, 36-bit NR). */
  cellId: string | null;
  pci: number | null;
  /** TAC, hex as printed. */
  tac: string | null;
  /** EARFCN (LTE) or NR-ARFCN. */
  arfcn: number | null;
  /** `B3` for LTE band 3, `n78` for NR band n78. */
  band: string | null;
  /** Downlink bandwidth, MHz (decoded from the per-RAT enum). */
  bandwidthMHz: number | null;
  rsrpDbm: number | null;
  rsrqDb: number | null;
  /**
   * SINR in dB: the LTE raw value converted (see servingcell.ts), the NR value as printed when it
   * lies in the documented range (-23..40 dB), else null.
   */
  sinrDb: number | null;
  /** SINR exactly as the modem printed it (the LTE scale differs between firmware). */
  sinrRaw: number | null;
  /** LTE only; null on NR lines. */
  rssiDbm: number | null;
  cqi: number | null;
  /** Transmit power, dBm (the modem prints 0.1 dBm; only during traffic). */
  txPowerDbm: number | null;
  scsKHz: number | null;
  srxlev: number | null;
}

export interface ServingCell {
  state: ServingState;
  /** Null when searching (no cell). */
  rat: ServingRat | null;
  /** The primary radio: the NR cell in SA, the LTE anchor in LTE and EN-DC. */
  primary: CellMeasurement | null;
  /** The NR secondary in EN-DC (NR5G-NSA). */
  nr: CellMeasurement | null;
}

/** A serving-cell sample as the reading stream emits it. */
export interface UeReading {
  ueId: string;
  /** Host clock, ns since the Unix epoch, when the reply arrived. */
  timestampNs: bigint;
  serving: ServingCell;
}

/** `AT+QNWPREFCFG` band lists and RAT preference (RM5xx). Undefined keys are left alone. */
export interface BandLock {
  lte?: number[];
  nsaNr?: number[];
  saNr?: number[];
  /** `AUTO`, `LTE`, `NR5G`, `LTE:NR5G`, ... */
  modePref?: string;
  /**
   * Read only (bandLock()): keys whose read failed for another reason than the modem refusing
   * the key (a reply the driver cannot use, no answer), with why. The other keys are still read.
   */
  problems?: Record<string, string>;
}

export interface DataSession {
  cid: number;
  active: boolean;
  /** The address the network gave (`AT+CGPADDR`); null when none. */
  address: string | null;
}

/** Events a UE emits, in order, on its event stream. */
export type UeEvent =
  | { kind: 'reading'; reading: UeReading }
  /** A registration URC (unsolicited +CREG/+CEREG/+C5GREG). */
  | { kind: 'registration'; registration: Registration; timestampNs: bigint }
  /** Any other unsolicited result code, verbatim. */
  | { kind: 'urc'; line: string; timestampNs: bigint }
  /** A reply line the driver could not use (every occurrence; logged at warn once per shape). */
  | { kind: 'unparsed'; command: string; line: string; detail: string; timestampNs: bigint }
  /** The port closed under us (modem unplugged, pty gone): readings stop until 'replugged'. */
  | { kind: 'unplugged'; detail: string; timestampNs: bigint }
  /** The port is back and the modem answers again: readings resume. */
  | { kind: 'replugged'; timestampNs: bigint }
  /** The modem stopped answering: it is being reset (AT+CFUN=1,1), once. */
  | { kind: 'reset'; detail: string; timestampNs: bigint }
  /** It answers again after the reset. */
  | { kind: 'recovered'; timestampNs: bigint }
  /** Given up: every further call fails with a ComponentError coded UE_FAILED. */
  | { kind: 'failed'; error: Error; required: boolean; timestampNs: bigint };

export type UeEventKind = UeEvent['kind'];

/** Lifecycle of one UE as the driver sees it. */
export type UeHealth = 'closed' | 'opening' | 'ready' | 'unplugged' | 'resetting' | 'failed';

/**
 * A UE under test (DESIGN.md): identity, power, attach/detach, serving cell, band lock, data
 * session, event stream. Every method fails with a ComponentError naming the UE; modem
 * refusals are AtCommandError/CmeError carrying the modem's own words.
 */
export interface Ue {
  readonly id: string;
  readonly operator: string;
  /** A required UE failing fails the trial; others are reported and the trial goes on. */
  readonly required: boolean;
  readonly health: UeHealth;

  /** Open the port and bring the modem to a known command state (echo, verbose errors, URCs). */
  open(): Promise<void>;
  close(): Promise<void>;

  identity(): Promise<UeIdentity>;
  power(): Promise<PowerState>;
  /** Radio on (CFUN=1) or RF off (CFUN=4). */
  setPower(on: boolean): Promise<void>;
  /** Automatic registration (COPS=0), then wait until registered (home or roaming). */
  attach(timeoutMs?: number): Promise<Registration>;
  /** Deregister (COPS=2). */
  detach(): Promise<void>;
  /**
   * Manual operator selection by numeric PLMN (AT+COPS=1,2,"<plmn>"): the modem registers only
   * on that operator's cells, once one is in service. Refused (CME 30) when none is seen.
   */
  selectOperator(plmn: string): Promise<void>;
  /** The selection mode (0 automatic, 1 manual, 2 deregistered) and the operator, from AT+COPS?. */
  operatorSelection(): Promise<{ mode: number; format: number | null; operator: string | null; act: number | null }>;
  /** The registration of the RAT in use: C5GREG in SA, CEREG for LTE and NSA. */
  registration(): Promise<Registration>;
  servingCell(): Promise<ServingCell>;
  bandLock(): Promise<BandLock>;
  setBandLock(lock: BandLock): Promise<void>;
  /** Define and activate a PDP context, then read its address. */
  startDataSession(opts?: { cid?: number; apn?: string; pdpType?: 'IP' | 'IPV6' | 'IPV4V6' }): Promise<DataSession>;
  stopDataSession(cid?: number): Promise<void>;
  dataSession(cid?: number): Promise<DataSession>;

  /** Poll the serving cell every periodMs and emit 'reading' events (stops while unplugged or failed). */
  startReadings(periodMs: number): void;
  stopReadings(): void;
  /** Subscribe to the event stream; returns the unsubscribe function. */
  on(listener: (event: UeEvent) => void): () => void;
}
