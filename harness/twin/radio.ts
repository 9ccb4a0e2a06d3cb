// The twin's radio model: pure functions from a cell's carrier, its PRB quota, its UEs' link
// budgets and what the other operators transmit (read from the air) to what a real base
// station would report: per-PRB SINR, CQI, spectral efficiency, throughput, RSRP, RSRQ.
//
// Nothing here is a constant stand-in for a measurement: every throughput comes from the
// link budget below, and co-channel interference from other operators' transmissions that
// overlap a PRB in frequency really costs throughput.
//
// Sources (3GPP):
//   PRBs per carrier    LTE TS 36.101 Table 5.6-1; NR FR1 TS 38.101-1 Table 5.3.2-1
//   CQI -> efficiency   LTE TS 36.213 Table 7.2.3-1; NR TS 38.214 Table 5.2.2.1-3 (256QAM)
//   overhead            TS 38.306 §4.1.2 (OH = 0.14 for FR1 downlink)
//   ARFCN               NR TS 38.104 §5.4.2.1; LTE TS 36.101 §5.7.3 / Table 5.7.3-1
import { ConfigError } from '../errors.js';
import type { AirTransmission } from './air.js';

export type Rat = 'NR' | 'LTE';

// ---------------------------------------------------------------------------------------
// Resource blocks per carrier

/** LTE, TS 36.101 Table 5.6-1: channel bandwidth (MHz) -> N_RB (15 kHz subcarriers only). */
export const LTE_PRB_TABLE: ReadonlyMap<number, number> = new Map([
  [1.4, 6],
  [3, 15],
  [5, 25],
  [10, 50],
  [15, 75],
  [20, 100],
]);

/**
 * NR FR1, TS 38.101-1 Table 5.3.2-1 (maximum transmission bandwidth configuration N_RB),
 * every row of the Rel-17/18 table, by SCS (kHz) then channel bandwidth (MHz).
 * N/A entries (15 kHz above 50 MHz, 30 kHz at 3 MHz, 60 kHz below 10 MHz) are absent.
 */
export const NR_FR1_PRB_TABLE: Readonly<Record<15 | 30 | 60, ReadonlyMap<number, number>>> = {
  15: new Map([
    [3, 15],
    [5, 25],
    [10, 52],
    [15, 79],
    [20, 106],
    [25, 133],
    [30, 160],
    [35, 188],
    [40, 216],
    [45, 242],
    [50, 270],
  ]),
  30: new Map([
    [5, 11],
    [10, 24],
    [15, 38],
    [20, 51],
    [25, 65],
    [30, 78],
    [35, 92],
    [40, 106],
    [45, 119],
    [50, 133],
    [60, 162],
    [70, 189],
    [80, 217],
    [90, 245],
    [100, 273],
  ]),
  60: new Map([
    [10, 11],
    [15, 18],
    [20, 24],
    [25, 31],
    [30, 38],
    [35, 44],
    [40, 51],
    [45, 58],
    [50, 65],
    [60, 79],
    [70, 93],
    [80, 107],
    [90, 121],
    [100, 135],
  ]),
};

/**
 * Resource blocks a carrier holds. Throws ConfigError (naming both values) for a
 * bandwidth / subcarrier-spacing combination the 3GPP tables do not define.
 */
export function prbCount(rat: Rat, bandwidthMHz: number, scsKHz: number): number {
  if (rat === 'LTE') {
    const n = scsKHz === 15 ? LTE_PRB_TABLE.get(bandwidthMHz) : undefined;
    if (n === undefined) {
      throw new ConfigError(
        `LTE does not define a ${bandwidthMHz} MHz carrier at ${scsKHz} kHz subcarrier spacing ` +
          `(TS 36.101 Table 5.6-1: 15 kHz SCS with ${[...LTE_PRB_TABLE.keys()].join(', ')} MHz)`,
        'CONFIG_INVALID',
      );
    }
    return n;
  }
  if (rat === 'NR') {
    const table = (NR_FR1_PRB_TABLE as Record<number, ReadonlyMap<number, number> | undefined>)[scsKHz];
    const n = table?.get(bandwidthMHz);
    if (n === undefined) {
      const valid = table ? `${[...table.keys()].join(', ')} MHz at ${scsKHz} kHz` : 'SCS 15, 30 or 60 kHz';
      throw new ConfigError(
        `NR FR1 does not define a ${bandwidthMHz} MHz carrier at ${scsKHz} kHz subcarrier spacing ` +
          `(TS 38.101-1 Table 5.3.2-1: ${valid})`,
        'CONFIG_INVALID',
      );
    }
    return n;
  }
  throw new ConfigError(`unknown RAT ${String(rat)} (expected NR or LTE)`, 'CONFIG_INVALID');
}

/** Alias of prbCount (the name the rig validator uses). */
export const carrierPrbs = prbCount;

/** Width of one resource block: 12 subcarriers x SCS, kHz (180 kHz at 15 kHz SCS). */
export function prbWidthKHz(scsKHz: number): number {
  return 12 * scsKHz;
}

// ---------------------------------------------------------------------------------------
// Link quality: SINR -> CQI -> spectral efficiency

/**
 * SINR (dB) a UE needs to report CQI n = 1..15 at 10 % BLER, for the 64QAM CQI table
 * (TS 38.214 Table 5.2.2.1-2, the same ladder as LTE TS 36.213 Table 7.2.3-1): thresholds
 * published with a public system-level simulator after MathWorks' 5G CQI reporting
 * example (DOMAIN.md §6). Index 0 holds CQI 1's threshold.
 */
export const SINR_CQI_THRESHOLDS_DB: readonly number[] = [
  -1.89, -0.82, 0.95, 2.95, 4.9, 7.39, 8.89, 11.02, 13.32, 14.68, 16.62, 18.91, 21.58, 24.88, 29.32,
];

/** Spectral efficiency (bit/s/Hz) for CQI 1..15 (index 0 = CQI 1), LTE TS 36.213 Table 7.2.3-1. */
export const LTE_CQI_EFFICIENCY: readonly number[] = [
  0.1523, 0.2344, 0.377, 0.6016, 0.877, 1.1758, 1.4766, 1.9141, 2.4063, 2.7305, 3.3223, 3.9023, 4.5234, 5.1152,
  5.5547,
];

/** Spectral efficiency (bit/s/Hz) for CQI 1..15 (index 0 = CQI 1), NR TS 38.214 Table 5.2.2.1-3 (256QAM). */
export const NR_CQI_EFFICIENCY: readonly number[] = [
  0.1523, 0.377, 0.877, 1.4766, 1.9141, 2.4063, 2.7305, 3.3223, 3.9023, 4.5234, 5.1152, 5.5547, 6.2266, 6.9141,
  7.4063,
];

/** Which CQI table a cell reports in: LTE 36.213 Table 7.2.3-1, NR 38.214 Table 5.2.2.1-3. */
export type CqiTable = 'lte' | 'nr256';

export function cqiTableFor(rat: Rat): CqiTable {
  return rat === 'NR' ? 'nr256' : 'lte';
}

function efficiencies(table: CqiTable): readonly number[] {
  return table === 'nr256' ? NR_CQI_EFFICIENCY : LTE_CQI_EFFICIENCY;
}

/**
 * Wideband CQI (0 = out of range, 1..15) for a SINR.
 *
 * The documented thresholds (SINR_CQI_THRESHOLDS_DB) are for the 64QAM ladder, which is
 * the LTE table, so for 'lte' they apply directly. For the NR 256QAM table the UE reports
 * the highest 256QAM index whose efficiency the 64QAM ladder reaches at that SINR: entries
 * 1..12 of Table 5.2.2.1-3 have exactly the efficiencies of 64QAM CQI 1, 3, 5, 7..15, so
 * they inherit those thresholds. Entries 13..15 (256QAM only) have no documented threshold
 * here and are never reported: conservative, not invented.
 */
export function sinrToCqi(sinrDb: number, table: CqiTable = 'lte'): number {
  if (Number.isNaN(sinrDb)) return 0;
  let cqi64 = 0;
  for (let i = 0; i < SINR_CQI_THRESHOLDS_DB.length; i++) {
    if (sinrDb >= SINR_CQI_THRESHOLDS_DB[i]) cqi64 = i + 1;
    else break;
  }
  if (table === 'lte' || cqi64 === 0) return cqi64;
  const se = LTE_CQI_EFFICIENCY[cqi64 - 1];
  let cqi = 0;
  for (let i = 0; i < NR_CQI_EFFICIENCY.length; i++) {
    if (NR_CQI_EFFICIENCY[i] <= se + 1e-9) cqi = i + 1;
  }
  return cqi;
}

/** Spectral efficiency (bit/s/Hz) of a CQI index in a table; CQI 0 (out of range) carries nothing. */
export function cqiToSpectralEfficiency(cqi: number, table: CqiTable = 'lte'): number {
  if (!Number.isInteger(cqi) || cqi < 0 || cqi > 15) {
    throw new RangeError(`CQI must be an integer 0..15, got ${cqi}`);
  }
  return cqi === 0 ? 0 : efficiencies(table)[cqi - 1];
}

// ---------------------------------------------------------------------------------------
// Power, noise, frequency

/** Thermal noise density at 290 K, dBm/Hz. */
export const THERMAL_NOISE_DBM_PER_HZ = -174;
/** UE noise figure used when the config gives none, dB. */
export const DEFAULT_NOISE_FIGURE_DB = 7;
/**
 * Share of resource elements that carry no user data (control, reference signals, guard):
 * TS 38.306 §4.1.2 uses OH = 0.14 for FR1 downlink in its peak-rate formula.
 */
export const DEFAULT_OVERHEAD = 0.14;
/** Reference bandwidth of a power spectral density on the air: one LTE resource block. */
export const PSD_REFERENCE_KHZ = 180;

export function dbmToMw(dbm: number): number {
  return 10 ** (dbm / 10);
}
export function mwToDbm(mw: number): number {
  return 10 * Math.log10(mw);
}

/** Thermal noise in a bandwidth, dBm: -174 dBm/Hz + 10 log10(B) + NF. */
export function thermalNoiseDbm(bandwidthHz: number, noiseFigureDb = DEFAULT_NOISE_FIGURE_DB): number {
  return THERMAL_NOISE_DBM_PER_HZ + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** The frequency facts of one carrier that the model needs. */
export interface Carrier {
  rat: Rat;
  /** Centre frequency, MHz. */
  carrierMHz: number;
  bandwidthMHz: number;
  scsKHz: number;
  prbTotal: number;
  /** Total transmit power, spread evenly over all the carrier's PRBs, dBm. */
  txPowerDbm: number;
}

/**
 * Low edge of the carrier's transmission bandwidth (PRB 0's lower edge), MHz: the centre
 * minus half of N_RB x 12 x SCS (the guard bands lie outside it).
 */
export function carrierLowEdgeMHz(c: Pick<Carrier, 'carrierMHz' | 'prbTotal' | 'scsKHz'>): number {
  return c.carrierMHz - (c.prbTotal * prbWidthKHz(c.scsKHz)) / 2000;
}

/** Absolute frequency range occupied by PRBs [startPrb, startPrb + nPrb), MHz. */
export function prbRangeMHz(
  c: Pick<Carrier, 'carrierMHz' | 'prbTotal' | 'scsKHz'>,
  startPrb: number,
  nPrb: number,
): { lowMHz: number; highMHz: number } {
  const edge = carrierLowEdgeMHz(c);
  const w = prbWidthKHz(c.scsKHz) / 1000;
  return { lowMHz: edge + startPrb * w, highMHz: edge + (startPrb + nPrb) * w };
}

/** Transmit power per PRB of this carrier (power spread over all its PRBs), dBm. */
export function psdPerPrbDbm(c: Pick<Carrier, 'txPowerDbm' | 'prbTotal'>): number {
  return c.txPowerDbm - 10 * Math.log10(c.prbTotal);
}

/** Transmit power spectral density per 180 kHz (what goes on the air), dBm. */
export function psdPer180kHzDbm(c: Pick<Carrier, 'txPowerDbm' | 'prbTotal' | 'scsKHz'>): number {
  return psdPerPrbDbm(c) - 10 * Math.log10(prbWidthKHz(c.scsKHz) / PSD_REFERENCE_KHZ);
}

/**
 * RSRP, dBm: the power of one resource element (PRB power / 12 subcarriers) after path loss
 * (TS 38.215 / 36.214: linear average over the reference-signal resource elements).
 */
export function rsrpDbm(c: Pick<Carrier, 'txPowerDbm' | 'prbTotal'>, pathLossDb: number): number {
  return psdPerPrbDbm(c) - 10 * Math.log10(12) - pathLossDb;
}

/** RSRQ = N x RSRP / RSSI (N resource blocks of the RSSI measurement bandwidth), dB, clamped to -20..-3. */
export function rsrqDb(rsrpDbmValue: number, rssiDbm: number, nPrb: number): number {
  const v = 10 * Math.log10(nPrb) + rsrpDbmValue - rssiDbm;
  return Math.min(-3, Math.max(-20, v));
}

// ---------------------------------------------------------------------------------------
// ARFCN

/** NR-ARFCN of a frequency on the global raster (TS 38.104 Table 5.4.2.1-1), rounded to the nearest. */
export function nrArfcn(freqMHz: number): number {
  if (!(freqMHz >= 0 && freqMHz < 100_000)) throw new RangeError(`NR-ARFCN: ${freqMHz} MHz is outside 0..100000 MHz`);
  if (freqMHz < 3000) return Math.round(freqMHz / 0.005);
  if (freqMHz < 24250) return 600_000 + Math.round((freqMHz - 3000) / 0.015);
  return 2_016_667 + Math.round((freqMHz - 24250.08) / 0.06);
}

/** LTE downlink bands the twin knows (TS 36.101 Table 5.7.3-1): F_DL_low, N_Offs-DL, F_DL_high. */
export const LTE_DL_BANDS: ReadonlyMap<number, { fLowMHz: number; nOffs: number; fHighMHz: number }> = new Map([
  [1, { fLowMHz: 2110, nOffs: 0, fHighMHz: 2170 }],
  [3, { fLowMHz: 1805, nOffs: 1200, fHighMHz: 1880 }],
  [7, { fLowMHz: 2620, nOffs: 2750, fHighMHz: 2690 }],
  [8, { fLowMHz: 925, nOffs: 3450, fHighMHz: 960 }],
  [20, { fLowMHz: 791, nOffs: 6150, fHighMHz: 821 }],
  [28, { fLowMHz: 758, nOffs: 9210, fHighMHz: 803 }],
  [38, { fLowMHz: 2570, nOffs: 37750, fHighMHz: 2620 }],
  [40, { fLowMHz: 2300, nOffs: 38650, fHighMHz: 2400 }],
  [41, { fLowMHz: 2496, nOffs: 39650, fHighMHz: 2690 }],
  [42, { fLowMHz: 3400, nOffs: 41590, fHighMHz: 3600 }],
  [43, { fLowMHz: 3600, nOffs: 43590, fHighMHz: 3800 }],
  [46, { fLowMHz: 5150, nOffs: 46790, fHighMHz: 5925 }],
  [48, { fLowMHz: 3550, nOffs: 55240, fHighMHz: 3700 }],
]);

/** Downlink EARFCN: N = N_Offs-DL + (F - F_DL_low) / 0.1 MHz. Band as "B46", "b46" or "46". */
export function lteEarfcn(band: string, freqMHz: number): number {
  const m = /^[Bb]?(\d{1,3})$/.exec(band.trim());
  const b = m ? LTE_DL_BANDS.get(Number(m[1])) : undefined;
  if (!b) {
    throw new ConfigError(
      `no EARFCN table entry for LTE band ${band} (known: ${[...LTE_DL_BANDS.keys()].map((k) => 'B' + k).join(', ')}); give the cell an arfcn`,
    );
  }
  if (freqMHz < b.fLowMHz || freqMHz > b.fHighMHz) {
    throw new ConfigError(`${freqMHz} MHz is outside LTE band ${band} downlink (${b.fLowMHz}..${b.fHighMHz} MHz)`);
  }
  return b.nOffs + Math.round((freqMHz - b.fLowMHz) / 0.1);
}

// ---------------------------------------------------------------------------------------
// The cell model

/** Another transmitter on the air: what a twin cell publishes (PSD in dBm per 180 kHz). */
export type Interferer = Pick<AirTransmission, 'cellId' | 'operator' | 'on' | 'lowMHz' | 'highMHz' | 'psdDbmPerPrb'>;

/** A UE's link budget to its serving cell and to every other transmitter. */
export interface UeLink {
  id: string;
  /** Path loss from the serving cell, dB. */
  pathLossDb: number;
  /** Loss from any other operator's transmitter to this UE (path loss, antenna, walls), dB. */
  interferenceLossDb: number;
}

export interface CellModelInput {
  cellId: string;
  operator: string;
  carrier: Carrier;
  on: boolean;
  /** The cell's PRB quota; null or nPrb 0: nothing scheduled. */
  quota: { startPrb: number; nPrb: number } | null;
  ues: UeLink[];
  /** What is on the air; the model keeps only OTHER operators' cells that are on. */
  air: Interferer[];
  noiseFigureDb?: number;
  overhead?: number;
}

export interface UeRadio {
  ueId: string;
  /** False when the serving cell is off. */
  inService: boolean;
  /** Wideband SINR (capacity-equivalent average over the measured PRBs), dB. */
  sinrDb: number;
  /** Wideband CQI in the cell's table. */
  cqi: number;
  rsrpDbm: number;
  rsrqDb: number;
  /** PRBs scheduled for the UE, averaged over time (its round-robin share). */
  prbUsedDl: number;
  /** Downlink throughput under saturated demand, kbit/s. */
  thpDlKbps: number;
}

export interface CellRadio {
  cellId: string;
  on: boolean;
  /** RRU.PrbAvailDl: the quota's PRBs (0 when off). */
  prbAvailDl: number;
  /** RRU.PrbUsedDl: PRBs used (the quota when at least one UE has demand). */
  prbUsedDl: number;
  /** RRU.PrbTotDl: used PRBs as % of the carrier. */
  prbTotDlPct: number;
  /** Sum of the UEs' throughput, kbit/s. */
  thpDlKbps: number;
  /** The cell's UEs, in the order given. */
  ues: UeRadio[];
}

/** Interference power (mW) landing in each PRB of a carrier from the given transmitters, before the UE's loss. */
export function interferencePerPrbMw(c: Carrier, selfCellId: string, selfOperator: string, air: Interferer[]): number[] {
  const n = c.prbTotal;
  const out = new Array<number>(n).fill(0);
  const edge = carrierLowEdgeMHz(c);
  const w = prbWidthKHz(c.scsKHz) / 1000;
  for (const t of air) {
    if (!t.on || t.cellId === selfCellId || t.operator === selfOperator) continue;
    if (!(t.highMHz > t.lowMHz) || !Number.isFinite(t.psdDbmPerPrb)) continue;
    const mwPerMHz = dbmToMw(t.psdDbmPerPrb) / (PSD_REFERENCE_KHZ / 1000);
    const first = Math.max(0, Math.floor((t.lowMHz - edge) / w));
    const last = Math.min(n - 1, Math.ceil((t.highMHz - edge) / w));
    for (let p = first; p <= last; p++) {
      const lo = edge + p * w;
      const overlap = Math.min(lo + w, t.highMHz) - Math.max(lo, t.lowMHz);
      if (overlap > 0) out[p] += mwPerMHz * overlap;
    }
  }
  return out;
}

/** SINR (dB) of each PRB of the carrier for one UE. */
export function prbSinrDb(c: Carrier, ue: UeLink, interferenceMw: number[], noiseFigureDb = DEFAULT_NOISE_FIGURE_DB): number[] {
  const signalMw = dbmToMw(psdPerPrbDbm(c) - ue.pathLossDb);
  const noiseMw = dbmToMw(thermalNoiseDbm(prbWidthKHz(c.scsKHz) * 1000, noiseFigureDb));
  const lossLin = dbmToMw(-ue.interferenceLossDb);
  return interferenceMw.map((i) => 10 * Math.log10(signalMw / (noiseMw + i * lossLin)));
}

/** Capacity-equivalent wideband SINR: the SINR whose Shannon rate equals the mean rate over the PRBs, dB. */
export function effectiveSinrDb(sinrsDb: number[]): number {
  if (sinrsDb.length === 0) return -Infinity;
  let sum = 0;
  for (const s of sinrsDb) sum += Math.log2(1 + 10 ** (s / 10));
  return 10 * Math.log10(2 ** (sum / sinrsDb.length) - 1);
}

/**
 * One granularity period of one cell under saturated demand. The quota's PRBs are shared
 * equally by the cell's UEs (round robin over time: each UE gets every PRB 1/k of the time),
 * so a UE's throughput is (1/k) x sum over the quota's PRBs of
 * SE(CQI(SINR_prb)) x PRB width x (1 - overhead).
 *
 * Per-UE SINR and CQI are wideband values over the quota's PRBs (over the whole carrier
 * when the cell has no quota). RSSI for RSRQ counts, over the whole carrier: the cell's own
 * data in the quota's PRBs when it has UEs, its reference signals elsewhere (2 of the 12
 * resource elements of a reference-signal symbol), interference and noise.
 */
export function evaluateCell(input: CellModelInput): CellRadio {
  const { carrier: c } = input;
  const nf = input.noiseFigureDb ?? DEFAULT_NOISE_FIGURE_DB;
  const overhead = input.overhead ?? DEFAULT_OVERHEAD;
  const table = cqiTableFor(c.rat);
  const k = input.ues.length;
  const quota = input.on && input.quota && input.quota.nPrb > 0 ? input.quota : null;
  if (!input.on) {
    return {
      cellId: input.cellId,
      on: false,
      prbAvailDl: 0,
      prbUsedDl: 0,
      prbTotDlPct: 0,
      thpDlKbps: 0,
      ues: input.ues.map((u) => ({
        ueId: u.id,
        inService: false,
        sinrDb: 0,
        cqi: 0,
        rsrpDbm: 0,
        rsrqDb: 0,
        prbUsedDl: 0,
        thpDlKbps: 0,
      })),
    };
  }
  const interference = interferencePerPrbMw(c, input.cellId, input.operator, input.air);
  const prbHz = prbWidthKHz(c.scsKHz) * 1000;
  const noiseMw = dbmToMw(thermalNoiseDbm(prbHz, nf));
  const prbs = quota ? Array.from({ length: quota.nPrb }, (_, i) => quota.startPrb + i) : [];
  const inQuota = new Set(prbs);
  const prbUsed = quota && k > 0 ? quota.nPrb : 0;
  const ues: UeRadio[] = input.ues.map((u) => {
    const sinr = prbSinrDb(c, u, interference, nf);
    let bps = 0;
    for (const p of prbs) bps += cqiToSpectralEfficiency(sinrToCqi(sinr[p], table), table) * prbHz * (1 - overhead);
    const measured = quota ? prbs.map((p) => sinr[p]) : sinr;
    // Reported SINR is bounded to what a UE can report (-50..80 dB) so it is always finite.
    const sinrEff = Math.min(80, Math.max(-50, effectiveSinrDb(measured)));
    const rsrp = rsrpDbm(c, u.pathLossDb);
    const ownPrbMw = dbmToMw(psdPerPrbDbm(c) - u.pathLossDb);
    const lossLin = dbmToMw(-u.interferenceLossDb);
    let rssiMw = 0;
    for (let p = 0; p < c.prbTotal; p++) {
      const activity = inQuota.has(p) && k > 0 ? 1 : 2 / 12;
      rssiMw += ownPrbMw * activity + interference[p] * lossLin + noiseMw;
    }
    return {
      ueId: u.id,
      inService: true,
      sinrDb: sinrEff,
      cqi: sinrToCqi(sinrEff, table),
      rsrpDbm: rsrp,
      rsrqDb: rsrqDb(rsrp, mwToDbm(rssiMw), c.prbTotal),
      prbUsedDl: k > 0 ? prbUsed / k : 0,
      thpDlKbps: k > 0 ? bps / k / 1000 : 0,
    };
  });
  const thp = ues.reduce((s, u) => s + u.thpDlKbps, 0);
  return {
    cellId: input.cellId,
    on: true,
    prbAvailDl: quota ? quota.nPrb : 0,
    prbUsedDl: prbUsed,
    prbTotDlPct: (100 * prbUsed) / c.prbTotal,
    thpDlKbps: thp,
    ues,
  };
}
