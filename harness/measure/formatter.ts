// Line protocol at speed: a point's series key (measurement and tag set) and the order and
// escaping of its field keys are worked out once per distinct tag set / field shape and then
// looked up, so a steady stream of points over a few hundred series costs a map lookup and
// the number formatting per point. The bytes are exactly those of toLine() (lineprotocol.ts),
// which decides them and is called for every shape not seen before.
import { InvalidPointError, escapeFieldKey as escapedFieldKey, fieldValueText, seriesKeyOf, sortedFieldKeys, timestampText, type LineOptions } from './lineprotocol.js';
import type { Point } from './types.js';

/** Most cached series keys / field shapes; the caches start over beyond it (bounded memory). */
const MAX_CACHED = 10_000;

/**
 * The cache key of a point: its measurement and tag values (the keys, tag and field, are
 * checked against the cached shape instead, which costs no string building); null when a tag
 * value is not a string or holds a line break, which takes toLine's path (it refuses those).
 * With line breaks excluded, '\n' separators make the text unambiguous.
 */
function cacheKeyOf(p: Point): string | null {
  const m = p.measurement;
  if (m.includes('\n')) return null;
  let k = m;
  const tags = p.tags;
  for (const key in tags) {
    const v = tags[key];
    if (typeof v !== 'string' || v.includes('\n')) return null;
    k += '\n' + v;
  }
  return k;
}

/** True when the record's own keys are exactly `keys`, in that order. */
function sameKeys(record: object | undefined, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in record) if (key !== keys[i++]) return false;
  return i === keys.length;
}

interface Shape {
  /** The point's own tag keys and field keys, in its order (what the cache key leaves out). */
  tagKeys: string[];
  fieldKeys: string[];
  keys: string[];
  /**
   * Per field: the text before its value when it is the first written (`series key=`) and when
   * it follows another (`,key=`); a key that cannot be written holds its error, thrown in turn.
   */
  first: (string | Error)[];
  next: string[];
  ints: boolean[];
}

function escapeOrError(key: string): string | Error {
  try {
    return escapedFieldKey(key);
  } catch (err) {
    return err as Error;
  }
}

export class LineFormatter {
  private shapes = new Map<string, Shape>();

  constructor(private readonly opts: LineOptions = {}) {}

  /** One point as one line (no newline). Throws InvalidPointError, as toLine() does. */
  line(p: Point): string {
    if (typeof p !== 'object' || p === null) throw new InvalidPointError('not an object');
    if (typeof p.measurement !== 'string') throw new InvalidPointError('measurement is not a string');
    const key = cacheKeyOf(p);
    let shape = key === null ? undefined : this.shapes.get(key);
    if (shape !== undefined && !(sameKeys(p.tags, shape.tagKeys) && sameKeys(p.fields, shape.fieldKeys))) shape = undefined;
    if (shape === undefined) {
      shape = this.shapeOf(p);
      if (key !== null) {
        if (this.shapes.size >= MAX_CACHED) this.shapes.clear();
        this.shapes.set(key, shape);
      }
    }
    const fields = p.fields ?? {};
    // Few concatenations per point: each field adds a prefix made once per shape and its value.
    let line: string | null = null;
    const { keys, first, next, ints } = shape;
    for (let i = 0; i < keys.length; i++) {
      const f = first[i]!;
      if (typeof f !== 'string') throw f;
      const text = fieldValueText(keys[i]!, fields[keys[i]!], ints[i]!);
      if (text === null) continue;
      line = line === null ? f + text : line + (next[i]! + text);
    }
    if (line === null) throw new InvalidPointError(`point of ${p.measurement} has no fields`);
    return line + (' ' + timestampText(p.timestampNs));
  }

  private shapeOf(p: Point): Shape {
    const series = seriesKeyOf(p, this.opts);
    const keys = sortedFieldKeys(p);
    const ints = this.opts.integerFields?.[p.measurement];
    const own = (r: object | undefined) => {
      const out: string[] = [];
      for (const k in r) out.push(k);
      return out;
    };
    const escaped = keys.map(escapeOrError);
    return {
      tagKeys: own(p.tags),
      fieldKeys: own(p.fields),
      keys,
      first: escaped.map((e) => (typeof e === 'string' ? `${series} ${e}=` : e)),
      next: escaped.map((e) => (typeof e === 'string' ? `,${e}=` : '')),
      ints: keys.map((k) => ints?.includes(k) ?? false) };
  }
}
