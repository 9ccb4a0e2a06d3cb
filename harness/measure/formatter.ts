// Line protocol at speed: a point's series key (measurement and tag set) and the order and
// escaping of its field keys are worked out once per distinct tag set / field shape and then
// looked up, so a steady stream of points over a few hundred series costs a map lookup and
// the number formatting per point. The bytes are exactly those of toLine() (lineprotocol.ts),
// which decides them and is called for every shape not seen before.
import { InvalidPointError, escapeFieldKey as escapedFieldKey, fieldValueText, seriesKeyOf, sortedFieldKeys, timestampText, type LineOptions } from './lineprotocol.js';
import type { Point } from './types.js';

/** Most cached series keys / field shapes; the caches start over beyond it (bounded memory). */
const MAX_CACHED = 10_000;

interface FieldShape {
  keys: string[];
  /** The escaped keys. */
  prefixes: string[];
  ints: boolean[];
}

/** Unambiguous text of a record's own keys and values (length-prefixed), or null if a value is not a string. */
function rawKeyOf(measurement: string, tags: Readonly<Record<string, unknown>> | undefined): string | null {
  let k = measurement.length + ':' + measurement;
  if (tags) {
    for (const key in tags) {
      const v = tags[key];
      if (typeof v !== 'string') return null;
      k += '|' + key.length + ':' + key + v.length + ':' + v;
    }
  }
  return k;
}

export class LineFormatter {
  private series = new Map<string, string>();
  private shapes = new Map<string, FieldShape>();

  constructor(private readonly opts: LineOptions = {}) {}

  /** One point as one line (no newline). Throws InvalidPointError, as toLine() does. */
  line(p: Point): string {
    if (typeof p !== 'object' || p === null) throw new InvalidPointError('not an object');
    if (typeof p.measurement !== 'string') throw new InvalidPointError('measurement is not a string');
    const raw = rawKeyOf(p.measurement, p.tags);
    let series = raw === null ? undefined : this.series.get(raw);
    if (series === undefined) {
      series = seriesKeyOf(p, this.opts);
      if (raw !== null) {
        if (this.series.size >= MAX_CACHED) this.series.clear();
        this.series.set(raw, series);
      }
    }
    const fields = p.fields ?? {};
    let shapeKey = p.measurement.length + ':' + p.measurement;
    for (const key in fields) shapeKey += '|' + key.length + ':' + key;
    let shape = this.shapes.get(shapeKey);
    if (shape === undefined) {
      const keys = sortedFieldKeys(p);
      const ints = this.opts.integerFields?.[p.measurement];
      shape = { keys, prefixes: keys.map(escapedFieldKey), ints: keys.map((k) => ints?.includes(k) ?? false) };
      if (this.shapes.size >= MAX_CACHED) this.shapes.clear();
      this.shapes.set(shapeKey, shape);
    }
    let line = series;
    let sep = ' ';
    for (let i = 0; i < shape.keys.length; i++) {
      const key = shape.keys[i]!;
      const text = fieldValueText(key, fields[key], shape.ints[i]!);
      if (text === null) continue;
      line += sep + shape.prefixes[i]! + '=' + text;
      sep = ',';
    }
    if (sep === ' ') throw new InvalidPointError(`point of ${p.measurement} has no fields`);
    return line + ' ' + timestampText(p.timestampNs);
  }
}
