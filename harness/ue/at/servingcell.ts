// AT+QENG="servingcell", read by RAT tag and field count (facts/UE-SDR-GPU.md §1, RM5x0N and
// EC2x manuals, and what field transcripts show). One reply has one to three +QENG lines:
//   SA, LTE:   +QENG: "servingcell",<state>,"<RAT>",<fields...>
//   EN-DC:     +QENG: "servingcell",<state> / +QENG: "LTE",<fields...> / +QENG:"NR5G-NSA",<fields...>
//   split SA:  +QENG: "servingcell",<state> / +QENG: "NR5G-SA",<fields...>   (RM520N, field transcripts)
//   none:      +QENG: "servingcell","SEARCH"
// A leg whose line has a shape this parser does not know is reported (onUnparsed) and left out;
// the other legs are kept. Only a reply with nothing usable at all is a parse error.
import { AtParseError } from './errors.js';
import { cqiOf, fieldsOf, fromEnum, int, str } from './fields.js';
import type { CellMeasurement, ServingCell, ServingState } from '../types.js';

/** LTE `<UL/DL_bandwidth>` enum -> MHz. */
export const LTE_BW_MHZ: readonly number[] = [1.4, 3, 5, 10, 15, 20];
/** NR `<NR_DL_bandwidth>` enum -> MHz (RM520N manual). */
export const NR_BW_MHZ: readonly number[] = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 400, 35, 45];
/** `<scs>` enum -> kHz. */
export const SCS_KHZ: readonly number[] = [15, 30, 60, 120, 240];
/** The NR SINR range the manual documents, dB: a value outside it is not a dB figure. */
export const NR_SINR_DB_RANGE: readonly [number, number] = [-23, 40];

/**
 * How the LTE `<SINR>` field maps to dB. The RM5x0N manual gives dB = <SINR> / 5 x 10 - 20
 * (range -20..30 dB); the EC2x/EG2x manual's 15-field line prints dB. Field transcripts dispute
 * both (an RM500Q prints a 15-field LTE line in the RM5x0N scale), so the raw value is always
 * kept beside the converted one (sinrRaw). Default: 'rm5x0n' for 17 fields, 'db' for 15;
 * the driver picks by module model, ServingCellOptions.lteSinr overrides.
 */
export type LteSinrScale = 'rm5x0n' | 'db';

export function lteSinrToDb(raw: number, scale: LteSinrScale = 'rm5x0n'): number {
  return scale === 'db' ? raw : (raw / 5) * 10 - 20;
}
/** The inverse of lteSinrToDb (kept for the twin modem until it has its own copy). */
export function lteSinrFromDb(db: number, scale: LteSinrScale = 'rm5x0n'): number {
  return scale === 'db' ? Math.round(db) : Math.round(((db + 20) * 5) / 10);
}

/**
 * The LTE SINR scale a module prints, by its model (ATI): RM5xx/RG5xx print the RM5x0N scale
 * on both line lengths (an RM500Q's 15-field line read 30 dB where QMI reported 30.0 dB);
 * others: unknown (undefined: the default by line length applies).
 */
export function lteSinrScaleForModel(model: string | null | undefined): LteSinrScale | undefined {
  return model && /^R[GM]5\d\d/i.test(model) ? 'rm5x0n' : undefined;
}

export interface ServingCellOptions {
  lteSinr?: LteSinrScale;
  /** A +QENG line left out because its shape is unknown (the other legs are still returned). */
  onUnparsed?: (line: string, detail: string) => void;
}

const STATES: readonly ServingState[] = ['SEARCH', 'LIMSRV', 'NOCONN', 'CONNECT'];

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
    sinrRaw: null,
    rssiDbm: null,
    cqi: null,
    txPowerDbm: null,
    scsKHz: null,
    srxlev: null,
  };
}

function duplexOf(s: string | undefined): 'TDD' | 'FDD' | null {
  const t = str(s)?.toUpperCase();
  return t === 'TDD' || t === 'FDD' ? t : null;
}
const band = (prefix: 'B' | 'n', v: number | null) => (v === null || v <= 0 ? null : `${prefix}${v}`);
const txDbm = (v: number | null) => (v === null ? null : v / 10);
function nrSinrDb(raw: number | null): number | null {
  return raw !== null && raw >= NR_SINR_DB_RANGE[0] && raw <= NR_SINR_DB_RANGE[1] ? raw : null;
}

/**
 * LTE fields from `<is_tdd>` on: is_tdd, MCC, MNC, cellID, PCID, earfcn, freq_band_ind,
 * UL_bandwidth, DL_bandwidth, TAC, RSRP, RSRQ, RSSI, SINR, [CQI, tx_power,] srxlev.
 * 17 fields (RM5x0N) or 15 (EC25/EG25 and some RM500Q firmware: no CQI, no tx_power).
 */
export function lteCell(f: string[], line: string, scale?: LteSinrScale): CellMeasurement {
  if (f.length !== 17 && f.length !== 15) throw new AtParseError(line, `LTE serving cell has ${f.length} fields after the RAT, expected 17 or 15`);
  const full = f.length === 17;
  const sinrRaw = int(f[13]);
  return {
    ...emptyCell(),
    duplex: duplexOf(f[0]),
    mcc: str(f[1]),
    mnc: str(f[2]),
    cellId: str(f[3]),
    pci: int(f[4]),
    arfcn: int(f[5]),
    band: band('B', int(f[6])),
    bandwidthMHz: fromEnum(LTE_BW_MHZ, int(f[8])),
    tac: str(f[9]),
    rsrpDbm: int(f[10]),
    rsrqDb: int(f[11]),
    rssiDbm: int(f[12]),
    sinrRaw,
    sinrDb: sinrRaw === null ? null : lteSinrToDb(sinrRaw, scale ?? (full ? 'rm5x0n' : 'db')),
    cqi: full ? cqiOf(f[14]) : null,
    txPowerDbm: full ? txDbm(int(f[15])) : null,
    srxlev: int(f[full ? 16 : 14]),
  };
}

/**
 * NR5G-SA fields from `<duplex>` on: duplex, MCC, MNC, cellID, PCID, TAC, ARFCN, band,
 * NR_DL_bandwidth, RSRP, RSRQ, SINR, then the tail. The documented tail is `<scs>,<srxlev>`;
 * RM500Q notes put `<tx_power>` where RM520N has `<scs>`, so a two-field tail is read by value
 * (a valid scs enum, else tx_power); three fields = tx_power, scs, srxlev.
 */
export function saCell(f: string[], line: string): CellMeasurement {
  if (f.length < 14 || f.length > 15) throw new AtParseError(line, `NR5G-SA serving cell has ${f.length} fields after the RAT, expected 14 or 15`);
  const tail = f.slice(12);
  let scs: number | null = null;
  let tx: number | null = null;
  if (tail.length === 2) {
    const v = int(tail[0]);
    if (v !== null && v >= 0 && v < SCS_KHZ.length) scs = v;
    else tx = v;
  } else {
    tx = int(tail[0]);
    scs = int(tail[1]);
  }
  const sinrRaw = int(f[11]);
  return {
    ...emptyCell(),
    duplex: duplexOf(f[0]),
    mcc: str(f[1]),
    mnc: str(f[2]),
    cellId: str(f[3]),
    pci: int(f[4]),
    tac: str(f[5]),
    arfcn: int(f[6]),
    band: band('n', int(f[7])),
    bandwidthMHz: fromEnum(NR_BW_MHZ, int(f[8])),
    rsrpDbm: int(f[9]),
    rsrqDb: int(f[10]),
    sinrRaw,
    sinrDb: nrSinrDb(sinrRaw),
    txPowerDbm: txDbm(tx),
    scsKHz: fromEnum(SCS_KHZ, scs),
    srxlev: int(tail[tail.length - 1]),
  };
}

/**
 * NR5G-NSA fields from `<MCC>` on: MCC, MNC, PCID, RSRP, SINR, RSRQ (SINR before RSRQ), then
 * ARFCN, band, NR_DL_bandwidth, scs: 10 fields (manual), or the first 6 only (early RM500Q).
 */
export function nsaCell(f: string[], line: string): CellMeasurement {
  if (f.length !== 10 && f.length !== 6) throw new AtParseError(line, `NR5G-NSA line has ${f.length} fields after the RAT, expected 10 or 6`);
  const sinrRaw = int(f[4]);
  return {
    ...emptyCell(),
    mcc: str(f[0]),
    mnc: str(f[1]),
    pci: int(f[2]),
    rsrpDbm: int(f[3]),
    sinrRaw,
    sinrDb: nrSinrDb(sinrRaw),
    rsrqDb: int(f[5]),
    arfcn: int(f[6]),
    band: band('n', int(f[7])),
    bandwidthMHz: fromEnum(NR_BW_MHZ, int(f[8])),
    scsKHz: fromEnum(SCS_KHZ, int(f[9])),
  };
}

type Leg = { rat: 'LTE' | 'NR5G-SA' | 'NR5G-NSA'; f: string[]; line: string };
const RATS = new Set(['LTE', 'NR5G-SA', 'NR5G-NSA']);

/** The +QENG lines of an `AT+QENG="servingcell"` reply (other lines are ignored). */
export function parseServingCell(lines: readonly string[], opts: ServingCellOptions = {}): ServingCell {
  const q = lines.filter((l) => l.startsWith('+QENG:')).map((l) => ({ line: l, f: fieldsOf(l, '+QENG:') }));
  const head = q.find((x) => x.f[0]?.toLowerCase() === 'servingcell');
  if (!head) throw new AtParseError(lines.join(' | '), 'no +QENG: "servingcell" line');
  const state = (head.f[1] ?? '').toUpperCase() as ServingState;
  if (!STATES.includes(state)) throw new AtParseError(head.line, `unknown serving-cell state ${JSON.stringify(head.f[1])}`);

  const legs: Leg[] = [];
  const headRat = head.f[2]?.toUpperCase();
  if (headRat !== undefined) {
    // WCDMA, GSM, CAT-M, ...: the state only.
    if (!RATS.has(headRat)) return { state, rat: null, primary: null, nr: null };
    legs.push({ rat: headRat as Leg['rat'], f: head.f.slice(3), line: head.line });
  }
  for (const x of q) {
    const tag = x.f[0]?.toUpperCase();
    if (x !== head && RATS.has(tag)) legs.push({ rat: tag as Leg['rat'], f: x.f.slice(1), line: x.line });
  }
  if (legs.length === 0) {
    if (state === 'SEARCH') return { state, rat: null, primary: null, nr: null };
    throw new AtParseError(head.line, 'state line without LTE, NR5G-SA or NR5G-NSA lines');
  }

  const cells: Partial<Record<Leg['rat'], CellMeasurement>> = {};
  let firstError: AtParseError | null = null;
  for (const leg of legs) {
    try {
      cells[leg.rat] ??= leg.rat === 'LTE' ? lteCell(leg.f, leg.line, opts.lteSinr) : leg.rat === 'NR5G-SA' ? saCell(leg.f, leg.line) : nsaCell(leg.f, leg.line);
    } catch (err) {
      if (!(err instanceof AtParseError)) throw err;
      firstError ??= err;
      opts.onUnparsed?.(leg.line, err.detail);
    }
  }
  const { LTE: lte, 'NR5G-SA': sa, 'NR5G-NSA': nsa } = cells;
  if (sa) return { state, rat: 'NR5G-SA', primary: sa, nr: sa };
  if (lte || nsa) return { state, rat: nsa ? 'NR5G-NSA' : 'LTE', primary: lte ?? null, nr: nsa ?? null };
  throw firstError ?? new AtParseError(head.line, 'no usable serving-cell line');
}
