// Parsers for the replies the driver relies on, in the formats the Quectel manuals print
// (facts/UE-SDR-GPU.md §1). Fields printed as `-` ("invalid under current condition") or as a
// sentinel become null (fields.ts). MCC/MNC, cell ids and TACs stay strings as printed.
// AT+QENG="servingcell" has its own file (servingcell.ts).
import { AtParseError } from './errors.js';
import { fieldsOf, int, str } from './fields.js';
import type { BandLock, DataSession, RegDomain, Registration, UeIdentity } from '../types.js';

export { fieldsOf } from './fields.js';
export {
  parseServingCell,
  lteSinrToDb,
  lteSinrScaleForModel,
  type LteSinrScale,
  type ServingCellOptions,
} from './servingcell.js';

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

/**
 * `+CGPADDR: <cid>[,<addr>[,<addr2>]]` for the given cid (the first line when cid is undefined).
 * A reply without a line for that cid (a bare OK: no context defined) is a session with no
 * address; only when no cid is asked for is it an error.
 */
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
  if (cid !== undefined) return { cid, active: false, address: null };
  throw new AtParseError(lines.join(' | '), `no +CGPADDR line${cid === undefined ? '' : ` for cid ${cid}`}`);
}

/** `+CGACT: <cid>,<state>` lines -> state per defined cid (a bare OK, no context defined: empty). */
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
    // A bad list is reported with its whole line (the driver logs the raw line).
    const bands = (): number[] => {
      try {
        return parseBandList(value);
      } catch (err) {
        throw err instanceof AtParseError ? new AtParseError(l, err.detail) : err;
      }
    };
    if (key === 'lte_band') out.lte = bands();
    else if (key === 'nsa_nr5g_band') out.nsaNr = bands();
    else if (key === 'nr5g_band') out.saNr = bands();
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
