// Parsers for the replies the driver relies on, in the formats the Quectel manuals print
// (facts/UE-SDR-GPU.md §1). Fields printed as `-` ("invalid under current condition") become
// null. MCC/MNC, cell ids and TACs stay strings as printed (leading zeros, hex).
import { splitParams } from './commands.js';
import { AtParseError } from './errors.js';
import type { BandLock, CellMeasurement, DataSession, RegDomain, Registration, ServingCell, ServingState, UeIdentity } from '../types.js';

/** LTE `<UL/DL_bandwidth>` enum -> MHz. */
export const LTE_BW_MHZ: readonly number[] = [1.4, 3, 5, 10, 15, 20];
/** NR `<NR_DL_bandwidth>` enum -> MHz (RM520N manual). */
export const NR_BW_MHZ: readonly number[] = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 400, 35, 45];
/** `<scs>` enum -> kHz. */
export const SCS_KHZ: readonly number[] = [15, 30, 60, 120, 240];

/**
 * How the LTE `<SINR>` field of AT+QENG="servingcell" maps to dB. The RM5x0N manual gives
 * dB = <SINR> / 5 x 10 - 20 (range -20..30 dB); the EC2x/EG2x line (15 fields, its manual
 * example prints -4) carries dB. Default: 'rm5x0n' for the 17-field LTE line, 'db' for the
 * 15-field one; ParseOptions.lteSinr overrides both. NR SINR is always printed in dB.
 */
export type LteSinrScale = 'rm5x0n' | 'db';

export function lteSinrToDb(raw: number, scale: LteSinrScale = 'rm5x0n'): number {
  return scale === 'db' ? raw : (raw / 5) * 10 - 20;
}
export function lteSinrFromDb(db: number, scale: LteSinrScale = 'rm5x0n'): number {
  return scale === 'db' ? Math.round(db) : Math.round(((db + 20) * 5) / 10);
}

export interface ParseOptions {
  lteSinr?: LteSinrScale;
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Fields after `<prefix>`, unquoted and trimmed. */
export function fieldsOf(line: string, prefix: string): string[] {
  if (!line.startsWith(prefix)) throw new AtParseError(line, `expected ${prefix}`);
  const rest = line.slice(prefix.length).trim();
  return rest.length === 0 ? [] : splitParams(rest).map(unquote);
}

function int(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (t === '' || t === '-') return null;
  if (!/^[-+]?\d+$/.test(t)) return null;
  return Number(t);
}
function str(s: string | undefined): string | null {
  if (s === undefined) return null;
  const t = s.trim();
  return t === '' || t === '-' ? null : t;
}
function fromEnum(table: readonly number[], v: number | null): number | null {
  return v === null ? null : (table[v] ?? null);
}
function duplexOf(s: string | undefined): 'TDD' | 'FDD' | null {
  const t = str(s)?.toUpperCase();
  return t === 'TDD' || t === 'FDD' ? t : null;
}

const STATES: readonly ServingState[] = ['SEARCH', 'LIMSRV', 'NOCONN', 'CONNECT'];
function stateOf(s: string | undefined, line: string): ServingState {
  const t = (s ?? '').toUpperCase() as ServingState;
  if (!STATES.includes(t)) throw new AtParseError(line, `unknown serving-cell state ${JSON.stringify(s)}`);
  return t;
}

function emptyCell(): CellMeasurement {
  return {
    duplex: null,
    mcc: null,
    mnc: null,
    cellId: null,
    pci: null,
    tac: null,
    arfcn: null,
    band: null,
    bandwidthMHz: null,
    rsrpDbm: null,
    rsrqDb: null,
    sinrDb: null,
    rssiDbm: null,
    cqi: null,
    txPowerDbm: null,
    scsKHz: null,
    srxlev: null,
  };
}

/**
 * LTE fields from `<is_tdd>` on: is_tdd, MCC, MNC, cellID, PCID, earfcn, freq_band_ind,
 * UL_bandwidth, DL_bandwidth, TAC, RSRP, RSRQ, RSSI, SINR, [CQI, tx_power,] srxlev.
 * 17 fields (RM5x0N) or 15 (EC25/EG25, without CQI and tx_power).
 */
function lteCell(f: string[], line: string, opts: ParseOptions): CellMeasurement {
  if (f.length !== 17 && f.length !== 15) throw new AtParseError(line, `LTE serving cell has ${f.length} fields after the RAT, expected 17 or 15`);
  const sinrRaw = int(f[13]);
  const full = f.length === 17;
  const tx = full ? int(f[15]) : null;
  return {
    ...emptyCell(),
    duplex: duplexOf(f[0]),
    mcc: str(f[1]),
    mnc: str(f[2]),
    cellId: str(f[3]),
    pci: int(f[4]),
    arfcn: int(f[5]),
    band: int(f[6]) === null ? null : `B${int(f[6])}`,
    bandwidthMHz: fromEnum(LTE_BW_MHZ, int(f[8])),
    tac: str(f[9]),
    rsrpDbm: int(f[10]),
    rsrqDb: int(f[11]),
    rssiDbm: int(f[12]),
    sinrDb: sinrRaw === null ? null : lteSinrToDb(sinrRaw, opts.lteSinr ?? (full ? 'rm5x0n' : 'db')),
    cqi: full ? int(f[14]) : null,
    txPowerDbm: tx === null ? null : tx / 10,
    srxlev: int(f[full ? 16 : 14]),
  };
}

/**
 * NR5G-SA fields from `<duplex>` on: duplex, MCC, MNC, cellID, PCID, TAC, ARFCN, band,
 * NR_DL_bandwidth, RSRP, RSRQ, SINR, then the tail. The documented tail is `<scs>,<srxlev>`;
 * RM500Q notes put `<tx_power>` where RM520N has `<scs>`, so the tail is read by its length
 * and values: two fields = (scs if it is a valid scs enum, else tx_power), srxlev; three
 * fields = tx_power, scs, srxlev.
 */
function saCell(f: string[], line: string): CellMeasurement {
  if (f.length < 14 || f.length > 15) throw new AtParseError(line, `NR5G-SA serving cell has ${f.length} fields after the RAT, expected 14 or 15`);
  const tail = f.slice(12);
  let scs: number | null = null;
  let tx: number | null = null;
  let srxlev: number | null;
  if (tail.length === 2) {
    const v = int(tail[0]);
    if (v !== null && v >= 0 && v < SCS_KHZ.length) scs = v;
    else tx = v;
    srxlev = int(tail[1]);
  } else {
    tx = int(tail[0]);
    scs = int(tail[1]);
    srxlev = int(tail[2]);
  }
  const band = int(f[7]);
  return {
    ...emptyCell(),
    duplex: duplexOf(f[0]),
    mcc: str(f[1]),
    mnc: str(f[2]),
    cellId: str(f[3]),
    pci: int(f[4]),
    tac: str(f[5]),
    arfcn: int(f[6]),
    band: band === null ? null : `n${band}`,
    bandwidthMHz: fromEnum(NR_BW_MHZ, int(f[8])),
    rsrpDbm: int(f[9]),
    rsrqDb: int(f[10]),
    sinrDb: int(f[11]),
    txPowerDbm: tx === null ? null : tx / 10,
    scsKHz: fromEnum(SCS_KHZ, scs),
    srxlev,
  };
}

/** NR5G-NSA fields from `<MCC>` on: MCC, MNC, PCID, RSRP, SINR, RSRQ, ARFCN, band, NR_DL_bandwidth, scs (SINR before RSRQ). */
function nsaCell(f: string[], line: string): CellMeasurement {
  if (f.length !== 10) throw new AtParseError(line, `NR5G-NSA line has ${f.length} fields after the RAT, expected 10`);
  const band = int(f[7]);
  return {
    ...emptyCell(),
    mcc: str(f[0]),
    mnc: str(f[1]),
    pci: int(f[2]),
    rsrpDbm: int(f[3]),
    sinrDb: int(f[4]),
    rsrqDb: int(f[5]),
    arfcn: int(f[6]),
    band: band === null ? null : `n${band}`,
    bandwidthMHz: fromEnum(NR_BW_MHZ, int(f[8])),
    scsKHz: fromEnum(SCS_KHZ, int(f[9])),
  };
}

/** The +QENG lines of an `AT+QENG="servingcell"` reply (other lines are ignored). */
export function parseServingCell(lines: readonly string[], opts: ParseOptions = {}): ServingCell {
  const q = lines.filter((l) => l.startsWith('+QENG:')).map((l) => ({ line: l, f: fieldsOf(l, '+QENG:') }));
  const head = q.find((x) => x.f[0]?.toLowerCase() === 'servingcell');
  if (!head) throw new AtParseError(lines.join(' | '), 'no +QENG: "servingcell" line');
  const state = stateOf(head.f[1], head.line);
  const rat = head.f[2]?.toUpperCase();
  if (head.f.length === 2) {
    if (state === 'SEARCH') return { state, rat: null, primary: null, nr: null };
    // EN-DC: the state line, then "LTE" and "NR5G-NSA" lines.
    const lte = q.find((x) => x.f[0]?.toUpperCase() === 'LTE');
    const nsa = q.find((x) => x.f[0]?.toUpperCase() === 'NR5G-NSA');
    if (!lte && !nsa) throw new AtParseError(head.line, 'state line without LTE or NR5G-NSA lines');
    return {
      state,
      rat: nsa ? 'NR5G-NSA' : 'LTE',
      primary: lte ? lteCell(lte.f.slice(1), lte.line, opts) : null,
      nr: nsa ? nsaCell(nsa.f.slice(1), nsa.line) : null,
    };
  }
  if (rat === 'LTE') return { state, rat: 'LTE', primary: lteCell(head.f.slice(3), head.line, opts), nr: null };
  if (rat === 'NR5G-SA') {
    const cell = saCell(head.f.slice(3), head.line);
    return { state, rat: 'NR5G-SA', primary: cell, nr: cell };
  }
  // WCDMA, GSM, CAT-M, ...: state only.
  return { state, rat: null, primary: null, nr: null };
}

/** A registration read reply (`+CEREG: <n>,<stat>,...`) or URC (`+CEREG: <stat>,...`). */
export function parseRegistration(line: string): Registration {
  const m = /^\+(CREG|CGREG|CEREG|C5GREG):/.exec(line);
  if (!m) throw new AtParseError(line, 'not a registration line');
  const domain = m[1] as RegDomain;
  const f = fieldsOf(line, m[0]);
  const isRead = f.length >= 2 && /^\d+$/.test(f[0]) && /^\d+$/.test(f[1]);
  const rest = isRead ? f.slice(1) : f;
  const stat = int(rest[0]);
  if (stat === null) throw new AtParseError(line, 'no <stat>');
  return {
    domain,
    n: isRead ? int(f[0]) : null,
    stat,
    registered: stat === 1 || stat === 5,
    tac: str(rest[1]),
    ci: str(rest[2]),
    act: int(rest[3]),
  };
}

/** `+CGPADDR: <cid>[,<addr>[,<addr2>]]` for the given cid (the first line when cid is undefined). */
export function parseCgpaddr(lines: readonly string[], cid?: number): DataSession {
  for (const l of lines) {
    if (!l.startsWith('+CGPADDR:')) continue;
    const f = fieldsOf(l, '+CGPADDR:');
    const c = int(f[0]);
    if (c === null) throw new AtParseError(l, 'no <cid>');
    if (cid !== undefined && c !== cid) continue;
    const address = str(f[1]) ?? str(f[2]);
    return { cid: c, active: address !== null, address };
  }
  throw new AtParseError(lines.join(' | '), `no +CGPADDR line${cid === undefined ? '' : ` for cid ${cid}`}`);
}

/** `+CGACT: <cid>,<state>` lines -> active cids. */
export function parseCgact(lines: readonly string[]): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const l of lines) {
    if (!l.startsWith('+CGACT:')) continue;
    const f = fieldsOf(l, '+CGACT:');
    const c = int(f[0]);
    if (c !== null) out.set(c, int(f[1]) === 1);
  }
  return out;
}

/** `+QNWPREFCFG: "<key>",<value>` -> key and value (unquoted). */
export function parseQnwprefcfg(line: string): { key: string; value: string } {
  const f = fieldsOf(line, '+QNWPREFCFG:');
  if (f.length < 2) throw new AtParseError(line, 'expected "<key>",<value>');
  return { key: f[0], value: f.slice(1).join(',') };
}

/** A colon-separated band list (`1:3:7:20`) -> numbers. */
export function parseBandList(value: string): number[] {
  const t = value.trim();
  if (t === '') return [];
  return t.split(':').map((b) => {
    const n = int(b);
    if (n === null || n <= 0) throw new AtParseError(value, `bad band ${JSON.stringify(b)}`);
    return n;
  });
}

/** The replies of the QNWPREFCFG band/mode keys -> a BandLock. */
export function parseBandLock(lines: readonly string[]): BandLock {
  const out: BandLock = {};
  for (const l of lines) {
    if (!l.startsWith('+QNWPREFCFG:')) continue;
    const { key, value } = parseQnwprefcfg(l);
    if (key === 'lte_band') out.lte = parseBandList(value);
    else if (key === 'nsa_nr5g_band') out.nsaNr = parseBandList(value);
    else if (key === 'nr5g_band') out.saNr = parseBandList(value);
    else if (key === 'mode_pref') out.modePref = value;
  }
  return out;
}

export interface Csq {
  rssi: number;
  ber: number;
  /** -113 + 2*rssi; null for 99 (unknown). */
  rssiDbm: number | null;
}

export function parseCsq(line: string): Csq {
  const f = fieldsOf(line, '+CSQ:');
  const rssi = int(f[0]);
  const ber = int(f[1]);
  if (rssi === null || ber === null) throw new AtParseError(line, 'expected <rssi>,<ber>');
  return { rssi, ber, rssiDbm: rssi === 99 ? null : -113 + 2 * rssi };
}

/** `ATI`: `Quectel` / `<model>` / `Revision: <rev>`. */
export function parseAti(lines: readonly string[]): Pick<UeIdentity, 'manufacturer' | 'model' | 'revision'> {
  const rev = lines.find((l) => /^Revision:/i.test(l));
  const plain = lines.filter((l) => !/^Revision:/i.test(l) && !/^\+/.test(l));
  if (plain.length < 2 || !rev) throw new AtParseError(lines.join(' | '), 'expected manufacturer, model and Revision lines');
  return { manufacturer: plain[0], model: plain[1], revision: rev.replace(/^Revision:\s*/i, '') };
}

/** `AT+CGSN`: a bare IMEI line (or `+CGSN: <imei>` on some firmware). */
export function parseImei(lines: readonly string[]): string {
  for (const l of lines) {
    const m = /^(?:\+CGSN:\s*)?"?(\d{14,17})"?$/.exec(l);
    if (m) return m[1];
  }
  throw new AtParseError(lines.join(' | '), 'no IMEI');
}

/** `AT+CIMI`: a bare IMSI line. */
export function parseImsi(lines: readonly string[]): string {
  for (const l of lines) if (/^\d{6,15}$/.test(l)) return l;
  throw new AtParseError(lines.join(' | '), 'no IMSI');
}

/** `+CFUN: <fun>`. */
export function parseCfun(line: string): number {
  const v = int(fieldsOf(line, '+CFUN:')[0]);
  if (v === null) throw new AtParseError(line, 'no <fun>');
  return v;
}

export interface Cops {
  mode: number;
  format: number | null;
  operator: string | null;
  act: number | null;
}

/** `+COPS: <mode>[,<format>[,<oper>][,<AcT>]]`. */
export function parseCops(line: string): Cops {
  const f = fieldsOf(line, '+COPS:');
  const mode = int(f[0]);
  if (mode === null) throw new AtParseError(line, 'no <mode>');
  return { mode, format: int(f[1]), operator: str(f[2]), act: int(f[3]) };
}

/** The one line with `prefix` in a reply, or an AtParseError. */
export function lineWith(lines: readonly string[], prefix: string): string {
  const l = lines.find((x) => x.startsWith(prefix));
  if (l === undefined) throw new AtParseError(lines.join(' | '), `no ${prefix} line`);
  return l;
}
