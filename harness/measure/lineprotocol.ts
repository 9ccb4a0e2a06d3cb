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

/** One point as one line of line protocol (no trailing newline). Throws InvalidPointError. */
export function toLine(p: Point, opts: LineOptions = {}): string {
  if (typeof p !== 'object' || p === null) throw new InvalidPointError('not an object');
  if (typeof p.measurement !== 'string') throw new InvalidPointError('measurement is not a string');
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

  const ints = opts.integerFields?.[p.measurement];
  const fields = p.fields ?? {};
  let sep = ' ';
  let n = 0;
  for (const key of Object.keys(fields).sort()) {
    const v = fields[key];
    if (key === 'time') throw new InvalidPointError(`field key "time" is reserved`);
    let text: string;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidPointError(`field ${key} is ${v} (InfluxDB stores finite numbers only)`);
      if (ints?.includes(key)) {
        if (!Number.isSafeInteger(v)) throw new InvalidPointError(`field ${key} must be an integer, got ${v}`);
        text = `${v}i`;
      } else {
        text = String(v);
      }
    } else if (typeof v === 'boolean') {
      text = v ? 'true' : 'false';
    } else if (typeof v === 'string') {
      text = stringField(v);
    } else if (v === undefined || v === null) {
      continue;
    } else {
      throw new InvalidPointError(`field ${key} has unsupported type ${typeof v}`);
    }
    line += sep + escapeKey('field key', key, UNESCAPED.fieldKey) + '=' + text;
    sep = ',';
    n++;
  }
  if (n === 0) throw new InvalidPointError(`point of ${p.measurement} has no fields`);

  const ts = p.timestampNs;
  if (typeof ts !== 'bigint') throw new InvalidPointError(`timestampNs is not a bigint (got ${typeof ts})`);
  if (ts < MIN_NS || ts > MAX_NS) throw new InvalidPointError(`timestampNs ${ts} is outside InfluxDB's time range`);
  return line + ' ' + ts.toString();
}
