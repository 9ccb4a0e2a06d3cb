// One granularity period of one cell under saturated demand, both directions.
//
// The quota's PRBs are the grant in both directions (the shared band is TDD: uplink and
// downlink use the same PRBs at different times). The cell's k UEs share them round robin
// over time: each UE gets every quota PRB 1/k of the time. So in each direction a UE's
// throughput is (1/k) x sum over the quota's PRBs of the TS 38.306 rate of one PRB at the
// CQI its SINR on that PRB earns (rate.ts, cqi-map.ts).
//
// Downlink SINR: the cell's power per PRB after path loss, against the UE's noise and the
// other operators' transmissions on the air after the UE's interference loss.
// Uplink SINR: the UE's PUSCH power per PRB (uplink.ts) after path loss, against the base
// station's noise and the same interference. The rig places no other operator's UE
// relative to this base station, so the interference at the base station is taken as what
// reaches its UE's position (in unsynchronised TDD the other cell's downlink does land in
// this uplink): an approximation, stated here.
//
// Each direction is reported as if it had every slot (TS 38.306's peak-rate assumption): the
// model applies no TDD downlink/uplink slot split, so on a TDD band the two figures are each
// direction's rate while it is scheduled, not shares of one timeline.
import { cqiTableFor, prbWidthKHz } from '../../nr/index.js';
import { effectiveSinrDb, interferencePerPrbMw, sinrPerPrbDb, type Interferer } from './interference.js';
import { sinrToCqi } from './cqi-map.js';
import {
  DEFAULT_GNB_NOISE_FIGURE_DB,
  DEFAULT_NOISE_FIGURE_DB,
  dbmToMw,
  mwToDbm,
  psdPerPrbDbm,
  rsrpDbm,
  rsrqDb,
  thermalNoiseDbm,
  type Carrier,
} from './link.js';
import { prbRateBps } from './rate.js';
import { UE_MAX_POWER_DBM, puschPowerDbm, type PowerControl } from './uplink.js';

/** A UE's link budget to its serving cell and to every other transmitter. */
export interface UeLink {
  id: string;
  /** Path loss from the serving cell, dB (the same both ways). */
  pathLossDb: number;
  /** Loss from any other operator's transmitter to this UE (path loss, antenna, walls), dB. */
  interferenceLossDb: number;
  /** The UE's maximum output power, dBm; default 23 (power class 3). */
  txPowerDbm?: number;
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
  /** UE receiver noise figure, dB (default 7). */
  noiseFigureDb?: number;
  /** Base-station receiver noise figure, dB (default 5). */
  gnbNoiseFigureDb?: number;
  /** PUSCH power control of the cell (P0, alpha); P_CMAX comes from each UE. */
  powerControl?: Omit<PowerControl, 'pMaxDbm'>;
}

export interface UeRadio {
  ueId: string;
  /** False when the serving cell is off. */
  inService: boolean;
  /** Wideband downlink SINR (capacity-equivalent average over the measured PRBs), dB. */
  sinrDb: number;
  /** Wideband downlink CQI in the cell's table. */
  cqi: number;
  rsrpDbm: number;
  rsrqDb: number;
  /** PRBs scheduled for the UE, averaged over time (its round-robin share). */
  prbUsedDl: number;
  /** Downlink throughput under saturated demand, kbit/s. */
  thpDlKbps: number;
  /** Wideband uplink SINR at the base station over the grant, dB (0 without a grant). */
  sinrUlDb: number;
  /** The CQI-table entry the uplink SINR earns (the PUSCH's Qm and R), 0..15. */
  cqiUl: number;
  /** PUSCH transmit power while scheduled, dBm (the UE's maximum when it has no grant). */
  puschPowerDbm: number;
  /** Uplink PRBs scheduled for the UE, averaged over time. */
  prbUsedUl: number;
  /** Uplink throughput under saturated demand, kbit/s. */
  thpUlKbps: number;
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
  /** Sum of the UEs' downlink throughput, kbit/s. */
  thpDlKbps: number;
  /** The same four for the uplink. */
  prbAvailUl: number;
  prbUsedUl: number;
  prbTotUlPct: number;
  thpUlKbps: number;
  /** The cell's UEs, in the order given. */
  ues: UeRadio[];
}

/** Downlink SINR (dB) of each PRB of the carrier for one UE. */
export function prbSinrDb(c: Carrier, ue: UeLink, interferenceMw: number[], noiseFigureDb = DEFAULT_NOISE_FIGURE_DB): number[] {
  const signalMw = dbmToMw(psdPerPrbDbm(c) - ue.pathLossDb);
  const noiseMw = dbmToMw(thermalNoiseDbm(prbWidthKHz(c.scsKHz) * 1000, noiseFigureDb));
  return sinrPerPrbDb(signalMw, noiseMw, interferenceMw, ue.interferenceLossDb);
}

/** Uplink SINR (dB) at the base station of each PRB of the carrier, for a UE sending nPrb PRBs. */
export function prbSinrUlDb(
  c: Carrier,
  ue: UeLink,
  nPrb: number,
  interferenceMw: number[],
  gnbNoiseFigureDb = DEFAULT_GNB_NOISE_FIGURE_DB,
  pc: Omit<PowerControl, 'pMaxDbm'> = {},
): number[] {
  const p = puschPowerDbm(nPrb, ue.pathLossDb, c.scsKHz, { ...pc, pMaxDbm: ue.txPowerDbm ?? UE_MAX_POWER_DBM });
  const signalMw = dbmToMw(p - 10 * Math.log10(nPrb) - ue.pathLossDb);
  const noiseMw = dbmToMw(thermalNoiseDbm(prbWidthKHz(c.scsKHz) * 1000, gnbNoiseFigureDb));
  return sinrPerPrbDb(signalMw, noiseMw, interferenceMw, ue.interferenceLossDb);
}

/** Reported SINR is bounded to what a receiver reports (-50..80 dB), so it is always finite. */
function reported(sinrs: number[]): number {
  return Math.min(80, Math.max(-50, effectiveSinrDb(sinrs)));
}

function offCell(input: CellModelInput): CellRadio {
  const zero = { prbAvailDl: 0, prbUsedDl: 0, prbTotDlPct: 0, thpDlKbps: 0, prbAvailUl: 0, prbUsedUl: 0, prbTotUlPct: 0, thpUlKbps: 0 };
  return {
    cellId: input.cellId,
    on: false,
    ...zero,
    ues: input.ues.map((u) => ({
      ueId: u.id,
      inService: false,
      sinrDb: 0,
      cqi: 0,
      rsrpDbm: 0,
      rsrqDb: 0,
      prbUsedDl: 0,
      thpDlKbps: 0,
      sinrUlDb: 0,
      cqiUl: 0,
      puschPowerDbm: u.txPowerDbm ?? UE_MAX_POWER_DBM,
      prbUsedUl: 0,
      thpUlKbps: 0,
    })),
  };
}

/**
 * Per-UE SINR and CQI are wideband values over the quota's PRBs (over the whole carrier when
 * the cell has no quota, downlink only). RSSI for RSRQ counts, over the whole carrier: the
 * cell's own data in the quota's PRBs when it has UEs, its reference signals elsewhere (2 of
 * the 12 resource elements of a reference-signal symbol), interference and noise.
 */
export function evaluateCell(input: CellModelInput): CellRadio {
  if (!input.on) return offCell(input);
  const { carrier: c } = input;
  const nf = input.noiseFigureDb ?? DEFAULT_NOISE_FIGURE_DB;
  const gnbNf = input.gnbNoiseFigureDb ?? DEFAULT_GNB_NOISE_FIGURE_DB;
  const table = cqiTableFor(c.rat);
  const k = input.ues.length;
  const quota = input.quota && input.quota.nPrb > 0 ? input.quota : null;
  const interference = interferencePerPrbMw(c, input.cellId, input.operator, input.air);
  const noiseMw = dbmToMw(thermalNoiseDbm(prbWidthKHz(c.scsKHz) * 1000, nf));
  const prbs = quota ? Array.from({ length: quota.nPrb }, (_, i) => quota.startPrb + i) : [];
  const inQuota = new Set(prbs);
  const prbUsed = quota && k > 0 ? quota.nPrb : 0;
  const ues: UeRadio[] = input.ues.map((u) => {
    const sinr = prbSinrDb(c, u, interference, nf);
    let dlBps = 0;
    for (const p of prbs) dlBps += prbRateBps(c, sinrToCqi(sinr[p]!, table, 'dl'), table, 'dl');
    const sinrEff = reported(quota ? prbs.map((p) => sinr[p]!) : sinr);

    const pMax = u.txPowerDbm ?? UE_MAX_POWER_DBM;
    let ulBps = 0;
    let sinrUl = 0;
    let pusch = pMax;
    if (quota) {
      const ul = prbSinrUlDb(c, u, quota.nPrb, interference, gnbNf, input.powerControl);
      for (const p of prbs) ulBps += prbRateBps(c, sinrToCqi(ul[p]!, table, 'ul'), table, 'ul');
      sinrUl = reported(prbs.map((p) => ul[p]!));
      pusch = puschPowerDbm(quota.nPrb, u.pathLossDb, c.scsKHz, { ...input.powerControl, pMaxDbm: pMax });
    }

    const rsrp = rsrpDbm(c, u.pathLossDb);
    const ownPrbMw = dbmToMw(psdPerPrbDbm(c) - u.pathLossDb);
    const lossLin = dbmToMw(-u.interferenceLossDb);
    let rssiMw = 0;
    for (let p = 0; p < c.prbTotal; p++) {
      const activity = inQuota.has(p) && k > 0 ? 1 : 2 / 12;
      rssiMw += ownPrbMw * activity + interference[p]! * lossLin + noiseMw;
    }
    return {
      ueId: u.id,
      inService: true,
      sinrDb: sinrEff,
      cqi: sinrToCqi(sinrEff, table, 'dl'),
      rsrpDbm: rsrp,
      rsrqDb: rsrqDb(rsrp, mwToDbm(rssiMw), c.prbTotal),
      prbUsedDl: k > 0 ? prbUsed / k : 0,
      thpDlKbps: k > 0 ? dlBps / k / 1000 : 0,
      sinrUlDb: sinrUl,
      cqiUl: quota ? sinrToCqi(sinrUl, table, 'ul') : 0,
      puschPowerDbm: pusch,
      prbUsedUl: k > 0 ? prbUsed / k : 0,
      thpUlKbps: k > 0 ? ulBps / k / 1000 : 0,
    };
  });
  const avail = quota ? quota.nPrb : 0;
  return {
    cellId: input.cellId,
    on: true,
    prbAvailDl: avail,
    prbUsedDl: prbUsed,
    prbTotDlPct: (100 * prbUsed) / c.prbTotal,
    thpDlKbps: ues.reduce((s, u) => s + u.thpDlKbps, 0),
    prbAvailUl: avail,
    prbUsedUl: prbUsed,
    prbTotUlPct: (100 * prbUsed) / c.prbTotal,
    thpUlKbps: ues.reduce((s, u) => s + u.thpUlKbps, 0),
    ues,
  };
}
