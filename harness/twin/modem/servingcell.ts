// AT+QENG="servingcell" reply lines, field order per RAT as the Quectel manuals print them
// (fact sheet §1), with each model's quirks (profiles.ts): SA line, LTE line, EN-DC three lines
// (full or short NR line), sentinels for what an idle module does not know.
import type { AirUeReading } from '../air.js';
import type { Camp } from './camp.js';
import type { TwinModemSettings } from './config.js';
import { cellIdHex, hash } from './identity.js';
import type { ModemProfile } from './profiles.js';
import { LTE_PRB_TABLE, LTE_TDD_BANDS, NR_TDD_BANDS } from '../../nr/index.js';
import {
  QENG_LTE_BANDWIDTH_MHZ, QENG_NR_BANDWIDTH_MHZ, QENG_SCS_KHZ, SENTINEL,
  bandNumber, clamp, lteSinrField, nearestEnum,
} from './tables.js';

/** LIMSRV camped but not registered; NOCONN registered, idle; CONNECT in traffic. */
export type CellState = 'LIMSRV' | 'NOCONN' | 'CONNECT';

export interface ServingCellInput {
  camp: Camp;
  state: CellState;
  profile: ModemProfile;
  cfg: TwinModemSettings;
}

/** The LTE values one line prints (the air's LTE cell, or the synthesised EN-DC anchor). */
interface LteCell {
  cellId: string;
  pci: number;
  earfcn: number;
  band: number;
  bandwidthMHz: number;
  rsrpDbm: number;
  rsrqDb: number;
  sinrDb: number;
  cqi: number;
}

/** Thermal noise in one 15 kHz resource element with a 7 dB noise figure: −174 + 41.8 + 7 dBm. */
const NOISE_PER_RE_DBM = -174 + 10 * Math.log10(15_000) + 7;

/**
 * Uplink transmit power, open loop (TS 36.213 §5.1.1.1 shape): P0 −90 dBm, α 0.8, path loss
 * from an assumed 15 dBm reference-signal power, 10 PRBs; capped at the 23 dBm class-3 maximum.
 */
export function uplinkTxPowerDbm(rsrpDbm: number): number {
  const pathLossDb = 15 - rsrpDbm;
  return clamp(-90 + 0.8 * pathLossDb + 10 * Math.log10(10), -40, 23);
}

/** A rough CQI for an LTE SINR (about 2 dB per CQI step, CQI 1 near −6 dB). */
function lteCqiFromSinr(sinrDb: number): number {
  return clamp(Math.round((sinrDb + 8) / 2), 1, 15);
}

function anchorOf(r: AirUeReading, cfg: TwinModemSettings): LteCell {
  const a = cfg.lteAnchor;
  const rsrpDbm = r.rsrpDbm + a.rsrpOffsetDb;
  // Licensed anchor: no shared-band interference, so its SINR is its SNR.
  const sinrDb = clamp(rsrpDbm - NOISE_PER_RE_DBM, -20, 30);
  return {
    cellId: `${r.cellId}:lte-anchor`,
    pci: hash(`${r.cellId}:lte-anchor`) % 504,
    earfcn: a.earfcn,
    band: a.band,
    bandwidthMHz: a.bandwidthMHz,
    rsrpDbm,
    rsrqDb: r.rsrqDb,
    sinrDb,
    cqi: lteCqiFromSinr(sinrDb),
  };
}

function lteOfAir(r: AirUeReading): LteCell {
  return { cellId: r.cellId, pci: r.pci, earfcn: r.arfcn, band: bandNumber(r.band), bandwidthMHz: r.bandwidthMHz, rsrpDbm: r.rsrpDbm, rsrqDb: r.rsrqDb, sinrDb: r.sinrDb, cqi: r.cqi };
}

const split = (plmn: string) => [plmn.slice(0, 3), plmn.slice(3)] as const;

/** The LTE fields from <is_tdd> on (after the `"LTE"` tag). */
function lteFields(c: LteCell, { camp, state, profile, cfg }: ServingCellInput): string {
  const [mcc, mnc] = split(camp.plmn);
  const rsrp = clamp(Math.round(c.rsrpDbm), -140, -44);
  const rsrq = clamp(Math.round(c.rsrqDb), -20, -3);
  const bw = nearestEnum(QENG_LTE_BANDWIDTH_MHZ, c.bandwidthMHz);
  const nrb = LTE_PRB_TABLE.get(QENG_LTE_BANDWIDTH_MHZ[bw]!) ?? 100;
  const rssi = Math.round(rsrp + 10 * Math.log10(12 * nrb));
  const tac = cfg.tac.slice(-4).padStart(4, '0').toUpperCase();
  // Srxlev = RSRP − Qrxlevmin, with the lowest Qrxlevmin SIB1 allows (−140 dBm).
  const srxlev = Math.max(0, rsrp + 140);
  const fields = [`"${LTE_TDD_BANDS.has(c.band) ? 'TDD' : 'FDD'}"`, mcc, mnc, cellIdHex(c.cellId, 'LTE', c.pci), c.pci, c.earfcn, c.band, bw, bw, tac, rsrp, rsrq, rssi, lteSinrField(c.sinrDb, profile.lteSinr)];
  if (profile.lteCqiTx) {
    const traffic = state === 'CONNECT';
    fields.push(traffic ? clamp(Math.round(c.cqi), 1, 15) : profile.idleCqi);
    fields.push(traffic ? Math.round(uplinkTxPowerDbm(c.rsrpDbm) * 10) : profile.idleTxPower);
  }
  fields.push(srxlev);
  return fields.join(',');
}

function saLine(r: AirUeReading, { camp, state, cfg }: ServingCellInput): string {
  const [mcc, mnc] = split(camp.plmn);
  const n = bandNumber(r.band);
  const fields = [
    `"${NR_TDD_BANDS.has(n) ? 'TDD' : 'FDD'}"`, mcc, mnc, cellIdHex(r.cellId, 'NR', r.pci), r.pci, cfg.tac.padStart(6, '0').toUpperCase(), r.arfcn, n,
    nearestEnum(QENG_NR_BANDWIDTH_MHZ, r.bandwidthMHz), clamp(Math.round(r.rsrpDbm), -140, -44), clamp(Math.round(r.rsrqDb), -43, 20), clamp(Math.round(r.sinrDb), -23, 40),
    nearestEnum(QENG_SCS_KHZ, r.scsKHz), SENTINEL.absent,
  ];
  return `+QENG: "servingcell","${state}","NR5G-SA",${fields.join(',')}`;
}

/** The EN-DC NR line: in idle the secondary leg is released, so its signal fields are sentinels. */
function nsaLine(r: AirUeReading, { camp, state, profile }: ServingCellInput): string {
  const [mcc, mnc] = split(camp.plmn);
  const traffic = state === 'CONNECT';
  const signal = traffic
    ? [clamp(Math.round(r.rsrpDbm), -140, -44), clamp(Math.round(r.sinrDb), -23, 40), clamp(Math.round(r.rsrqDb), -43, 20)]
    : [SENTINEL.signal, SENTINEL.signal, SENTINEL.signal];
  const fields: Array<string | number> = [mcc, mnc, r.pci, ...signal];
  if (profile.nsaLine === 'full') {
    const bw = traffic ? nearestEnum(QENG_NR_BANDWIDTH_MHZ, r.bandwidthMHz) : SENTINEL.wide;
    fields.push(r.arfcn, bandNumber(r.band), bw, nearestEnum(QENG_SCS_KHZ, r.scsKHz));
  }
  return `+QENG:${profile.nsaLineSpace ? ' ' : ''}"NR5G-NSA",${fields.join(',')}`;
}

/** The reply lines (without the final OK) for a camped modem. */
export function servingCellLines(input: ServingCellInput): string[] {
  const r = input.camp.reading;
  const access = input.camp.access;
  if (!r || !access) return ['+QENG: "servingcell","SEARCH"'];
  if (access === 'SA') return [saLine(r, input)];
  if (access === 'LTE') return [`+QENG: "servingcell","${input.state}","LTE",${lteFields(lteOfAir(r), input)}`];
  return [`+QENG: "servingcell","${input.state}"`, `+QENG: "LTE",${lteFields(anchorOf(r, input.cfg), input)}`, nsaLine(r, input)];
}

/** The LTE cell a modem on this access uses for LTE-only reports (CSQ, QNWINFO, CEREG). */
export function lteCellOf(camp: Camp, cfg: TwinModemSettings): LteCell | null {
  if (!camp.reading || !camp.access) return null;
  if (camp.access === 'LTE') return lteOfAir(camp.reading);
  if (camp.access === 'ENDC') return anchorOf(camp.reading, cfg);
  return null;
}

/** RSSI of an LTE cell from its RSRP over its resource blocks. */
export function lteRssiDbm(c: LteCell): number {
  const bw = QENG_LTE_BANDWIDTH_MHZ[nearestEnum(QENG_LTE_BANDWIDTH_MHZ, c.bandwidthMHz)]!;
  return Math.round(c.rsrpDbm + 10 * Math.log10(12 * (LTE_PRB_TABLE.get(bw) ?? 100)));
}
