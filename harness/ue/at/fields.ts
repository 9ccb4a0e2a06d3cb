// Field readers shared by the reply parsers. A field printed as `-` ("invalid under current
// condition") or as one of the sentinels firmware prints for "unknown" is absent (null), never a
// value: -32768 (RSRP, RSRQ, SINR, tx_power), 65535 (ARFCN, bandwidth, PCI); CQI 255 is read
// with cqiOf. facts/UE-SDR-GPU.md §1, "Seen in the field".
import { splitParams } from './commands.js';
import { AtParseError } from './errors.js';

/** Integers firmware prints for "unknown" in any numeric field of AT+QENG and AT+QRSRP. */
export const SENTINELS: ReadonlySet<number> = new Set([-32768, 65535]);
/** CQI's own "unknown" (27.007 / Quectel print 255 outside traffic). */
export const CQI_UNKNOWN = 255;

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

/** A decimal integer, or null for `-`, empty, non-numbers and sentinels. */
export function int(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (!/^[-+]?\d+$/.test(t)) return null;
  const v = Number(t);
  return SENTINELS.has(v) ? null : v;
}

/** CQI: 255 is "unknown". */
export function cqiOf(s: string | undefined): number | null {
  const v = int(s);
  return v === CQI_UNKNOWN ? null : v;
}

/** A string field, or null for `-` and empty. */
export function str(s: string | undefined): string | null {
  if (s === undefined) return null;
  const t = s.trim();
  return t === '' || t === '-' ? null : t;
}

export function fromEnum(table: readonly number[], v: number | null): number | null {
  return v === null ? null : (table[v] ?? null);
}

/**
 * A reply line's shape, for reporting a line the driver cannot use once per shape: the prefix,
 * the quoted words (RAT tags, states) and the field count; numbers do not matter.
 */
export function shapeOf(line: string): string {
  const m = /^([+$^%][A-Za-z0-9]+:)?(.*)$/s.exec(line.trim());
  const prefix = m?.[1] ?? '';
  const fields = splitParams((m?.[2] ?? '').trim());
  const words = fields.map((f) => f.trim()).filter((f) => /^"[A-Za-z][A-Za-z0-9 _-]*"$/.test(f));
  return `${prefix}${words.join(',')}/${fields.length}`;
}
