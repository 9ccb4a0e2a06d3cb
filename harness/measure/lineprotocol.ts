// InfluxDB 1.x line protocol, written by hand rather than through the `influx` client's
// escaper: the spool stores lines verbatim and replays them, so one serializer must decide
// every byte, and it must refuse what the server would misread (a newline splits a point,
// a trailing backslash escapes the next delimiter, a leading '#' makes a comment).
//
//   measurement[,tagKey=tagValue...] fieldKey=fieldValue[,...] timestampNs
import type { Point, TagSet } from './types.js';

/** A point that cannot be written: the reason names the part at fault. */
export class InvalidPointError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidPointError';
  }
}

// InfluxDB 1.x accepts timestamps in [MinNanoTime, MaxNanoTime] = [-2^63 + 2, 2^63 - 2].
const MIN_NS = -(2n ** 63n) + 2n;
const MAX_NS = 2n ** 63n - 2n;

// In each part the server reads a backslash followed by one of these characters as an escape
// (and one at the very end as escaping the next delimiter), so text holding such a pair cannot
// be written so that it reads back the same.
const UNESCAPED = {
  measurement: /\\([, ]|$)/,
  tag: /\\([,= ]|$)/,
  fieldKey: /\\([,= "]|$)/,
};

function checkName(kind: string, s: string, unescaped: RegExp): void {
  if (s.length === 0) throw new InvalidPointError(`${kind} is empty`);
  if (/[\n\r]/.test(s)) throw new InvalidPointError(`${kind} ${JSON.stringify(s)} contains a line break`);
  if (unescaped.test(s)) throw new InvalidPointError(`${kind} ${JSON.stringify(s)} has a backslash before a delimiter`);
}

function escapeMeasurement(s: string): string {
  checkName('measurement', s, UNESCAPED.measurement);
  if (s.startsWith('#')) throw new InvalidPointError(`measurement ${JSON.stringify(s)} starts with '#' (a comment line)`);
  return s.replace(/[, ]/g, (c) => '\\' + c);
}

/** Tag keys, tag values and field keys escape the same three characters. */
function escapeKey(kind: string, s: string, unescaped = UNESCAPED.tag): string {
  checkName(kind, s, unescaped);
  return s.replace(/[,= ]/g, (c) => '\\' + c);
}

function stringField(s: string): string {
  if (/[\n\r]/.test(s)) throw new InvalidPointError(`string field value contains a line break`);
  return '"' + s.replace(/["\\]/g, (c) => '\\' + c) + '"';
}

export interface LineOptions {
  /** Fields written as InfluxDB integers, per measurement; every other number is a float. */
  integerFields?: Readonly<Record<string, readonly string[]>>;
  /** Tags added to every point (a point's own tag of the same key wins). */
  defaultTags?: TagSet;
}

/** The escaped field key (what goes before '='). Throws InvalidPointError. */
export function escapeFieldKey(key: string): string {
  if (key === 'time') throw new InvalidPointError(`field key "time" is reserved`);
  return escapeKey('field key', key, UNESCAPED.fieldKey);
}

/** Measurement and tag set, escaped: `measurement[,k=v...]`. Throws InvalidPointError. */
export function seriesKeyOf(p: Point, opts: LineOptions = {}): string {
  let line = escapeMeasurement(p.measurement);
  const tags: TagSet = opts.defaultTags ? { ...opts.defaultTags, ...(p.tags ?? {}) } : (p.tags ?? {});
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key];
    if (typeof value !== 'string') throw new InvalidPointError(`tag ${key} is not a string`);
    // InfluxDB has no empty tag values: an empty tag is an absent tag.
    if (value === '') continue;
    if (key === 'time') throw new InvalidPointError(`tag key "time" is reserved`);
    line += ',' + escapeKey('tag key', key) + '=' + escapeKey(`tag ${key} value`, value);
  }
  return line;
}

/** The point's field keys in the order they are written. */
export function sortedFieldKeys(p: Point): string[] {
  return Object.keys(p.fields ?? {}).sort();
}

/** A field value as written; null for an absent (undefined/null) value. Throws InvalidPointError. */
export function fieldValueText(key: string, v: unknown, integer: boolean): string | null {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InvalidPointError(`field ${key} is ${v} (InfluxDB stores finite numbers only)`);
    if (integer) {
      if (!Number.isSafeInteger(v)) throw new InvalidPointError(`field ${key} must be an integer, got ${v}`);
      return `${v}i`;
    }
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return stringField(v);
  if (v === undefined || v === null) return null;
  throw new InvalidPointError(`field ${key} has unsupported type ${typeof v}`);
}

export function timestampText(ts: unknown): string {
  if (typeof ts !== 'bigint') throw new InvalidPointError(`timestampNs is not a bigint (got ${typeof ts})`);
  if (ts < MIN_NS || ts > MAX_NS) throw new InvalidPointError(`timestampNs ${ts} is outside InfluxDB's time range`);
  return ts.toString();
}

/** One point as one line of line protocol (no trailing newline). Throws InvalidPointError. */
export function toLine(p: Point, opts: LineOptions = {}): string {
  if (typeof p !== 'object' || p === null) throw new InvalidPointError('not an object');
  if (typeof p.measurement !== 'string') throw new InvalidPointError('measurement is not a string');
  let line = seriesKeyOf(p, opts);
  const ints = opts.integerFields?.[p.measurement];
  const fields = p.fields ?? {};
  let sep = ' ';
  for (const key of sortedFieldKeys(p)) {
    const escaped = escapeFieldKey(key);
    const text = fieldValueText(key, fields[key], ints?.includes(key) ?? false);
    if (text === null) continue;
    line += sep + escaped + '=' + text;
    sep = ',';
  }
  if (sep === ' ') throw new InvalidPointError(`point of ${p.measurement} has no fields`);
  return line + ' ' + timestampText(p.timestampNs);
}
