// What the transport needs to know about a command before it sends it: how long the modem may
// take (the vendor's maximum response time), which information lines belong to its reply, and
// whether a successful reply always has one. Also the classification of lines that are not
// replies: final result codes and unsolicited result codes (URCs).

/** Vendor maximum response times, ms (Quectel RM5x0N / EC2x manuals; facts/UE-SDR-GPU.md §1). */
export const VENDOR_MAX_MS: Readonly<Record<string, number>> = {
  '+COPS': 180_000,
  '+CGACT': 150_000,
  '+CFUN': 15_000,
  '+CREG': 300,
  '+CGREG': 300,
  '+CEREG': 300,
  '+C5GREG': 300,
  '+CSQ': 300,
  '+QRSRP': 300,
  '+QRSRQ': 300,
  '+QSINR': 300,
  '+QNWINFO': 300,
  '+QENG': 300,
  '+QNWPREFCFG': 300,
  '+CGDCONT': 300,
  '+CIMI': 300,
};
/** Commands the manuals give no figure for answer within the default 300 ms. */
export const DEFAULT_MAX_MS = 300;

/** Commands whose execute form answers with bare, unprefixed lines (ATI, AT+CGSN, AT+CIMI, ...). */
const UNPREFIXED = new Set(['I', '+CGMI', '+CGMM', '+CGMR', '+CGSN', '+CIMI', '+GMI', '+GMM', '+GMR', '+GSN', '+QGMR']);
/** Execute/write forms that always print an information line on success. */
const INFO_ON_EXEC = new Set(['I', '+CSQ', '+QENG', '+CGPADDR', '+CIMI', '+CGSN', '+CGMI', '+CGMM', '+CGMR', '+QNWINFO', '+QRSRP', '+QRSRQ', '+QSINR', '+QCCID']);
/**
 * List replies that may be empty: AT+CGACT?, AT+CGDCONT? and AT+CGPADDR[=<cid>] list only the
 * defined contexts and answer a bare OK when there is none (facts §1, "Data session").
 */
const MAY_BE_EMPTY = new Set(['+CGACT', '+CGDCONT', '+CGPADDR']);
/** Commands that may end with NO CARRIER instead of OK/ERROR. */
const NO_CARRIER_FINAL = new Set(['+CGACT', 'D', '+CGDATA']);

export type CommandForm = 'exec' | 'read' | 'test' | 'write';

export interface CommandSpec {
  /** The command text as sent (without the CR). */
  text: string;
  /** `+CSQ`, `+QENG`, `I`, `E`, ... ('' for a bare `AT`). */
  name: string;
  form: CommandForm;
  /** The information-line prefix of its reply (`+CSQ:`); null when its replies are not prefixed or it has none. */
  prefix: string | null;
  /** Unprefixed reply lines (other than URCs and final codes) belong to it. */
  unprefixed: boolean;
  /** A successful reply always carries at least one information line. */
  infoRequired: boolean;
  /** Vendor maximum response time, ms. */
  maxMs: number;
  /** NO CARRIER is a final result code for it. */
  noCarrierFinal: boolean;
}

/**
 * Describe a command line. `raw` (a command typed by hand): lines with its prefix and any
 * unprefixed non-URC line belong to it, and no information line is required.
 */
export function commandSpec(text: string, raw = false): CommandSpec {
  const t = text.trim();
  const body = /^AT/i.test(t) ? t.slice(2) : t;
  let name = '';
  let form: CommandForm = 'exec';
  let params = '';
  const ext = /^([+$^%][A-Za-z0-9]+)(=\?|\?|=)?(.*)$/s.exec(body);
  if (ext) {
    name = ext[1].toUpperCase();
    form = ext[2] === '=?' ? 'test' : ext[2] === '?' ? 'read' : ext[2] === '=' ? 'write' : 'exec';
    params = ext[3] ?? '';
  } else {
    // Basic commands: ATI, ATE0, ATZ, AT&F, ATD...
    const basic = /^(&?[A-Za-z])(.*)$/s.exec(body);
    if (basic) {
      name = basic[1].toUpperCase();
      params = basic[2];
    }
  }
  const isExt = name.startsWith('+') || name.startsWith('$') || name.startsWith('^') || name.startsWith('%');
  const unprefixed = raw || (UNPREFIXED.has(name) && (form === 'exec' || (name === 'I' && /^\d?$/.test(params))));
  let infoRequired = false;
  if (!raw && !(MAY_BE_EMPTY.has(name) && form !== 'test')) {
    if (form === 'read' || form === 'test') infoRequired = true;
    else if (INFO_ON_EXEC.has(name)) infoRequired = name !== '+CGPADDR' || form === 'write';
    else if (name === '+QNWPREFCFG' || name === '+QCFG') infoRequired = form === 'write' && splitParams(params).length === 1;
  }
  // A prefix only when its reply has prefixed lines: a write such as AT+CEREG=2 has none, so a
  // +CEREG line during it is a URC.
  const prefixed = isExt && (raw || infoRequired || form === 'read' || form === 'test' || INFO_ON_EXEC.has(name));
  return {
    text: t,
    name,
    form,
    prefix: prefixed ? `${name}:` : null,
    unprefixed,
    infoRequired,
    maxMs: VENDOR_MAX_MS[name] ?? DEFAULT_MAX_MS,
    noCarrierFinal: NO_CARRIER_FINAL.has(name),
  };
}

/** Split a parameter list on commas outside double quotes. */
export function splitParams(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const ch of s) {
    if (ch === '"') q = !q;
    if (ch === ',' && !q) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.length > 0 || out.length > 0) out.push(cur);
  return out;
}

export type FinalKind = 'OK' | 'ERROR' | 'CME' | 'NO CARRIER';

/** A final result code, or null. NO CARRIER only counts when the command can end with it. */
export function finalKind(line: string, noCarrierFinal: boolean): FinalKind | null {
  if (line === 'OK') return 'OK';
  if (line === 'ERROR') return 'ERROR';
  if (/^\+CM[ES] ERROR:/.test(line)) return 'CME';
  if (line === 'NO CARRIER' && noCarrierFinal) return 'NO CARRIER';
  return null;
}

/** Exact lines that are URCs. */
const URC_LINES = new Set(['RDY', 'POWERED DOWN', 'RING', 'NO CARRIER']);
/** Prefixes of URCs (facts/UE-SDR-GPU.md §1, "URCs worth handling", plus SMS/call indications). */
const URC_PREFIXES = ['+CFUN:', '+CPIN:', '+QUSIM:', '+QIND:', '+CREG:', '+CGREG:', '+CEREG:', '+C5GREG:', '+CGEV:', '+CTZV:', '+CTZE:', '+CMTI:', '+CRING:', '+QIURC:', '+QNETDEVSTATUS:'];

export function isUrcLine(line: string): boolean {
  if (URC_LINES.has(line)) return true;
  return URC_PREFIXES.some((p) => line.startsWith(p));
}

const REG_PREFIXES = ['+CREG:', '+CGREG:', '+CEREG:', '+C5GREG:'];

/**
 * Registration read replies carry `<n>` first (`+CEREG: 2,1,"DE10",...`); the URC of the same
 * prefix does not (`+CEREG: 1,"DE10",...` or `+CEREG: 1`). A read reply has two leading integers.
 */
export function isRegReadShape(line: string): boolean {
  const p = REG_PREFIXES.find((x) => line.startsWith(x));
  if (!p) return false;
  const f = splitParams(line.slice(p.length).trim());
  return f.length >= 2 && /^\d+$/.test(f[0].trim()) && /^\d+$/.test(f[1].trim());
}

export function isRegLine(line: string): boolean {
  return REG_PREFIXES.some((x) => line.startsWith(x));
}
