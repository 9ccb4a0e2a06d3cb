// The cached line formatter the sink uses writes exactly the bytes toLine() writes, and refuses
// exactly what it refuses, for any point (property), including repeats of a tag set it cached.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFormatter, toLine, type LineOptions, type Point } from '../harness/measure/index.js';

const text = fc.oneof(fc.constantFrom('a', 'cell 1', 'x,y', 'k=v', 'q"t', 'b\\s', '\\', 'time', '', '#c', 'l\nb'), fc.string({ maxLength: 6 }));
const point = fc.record({
  measurement: fc.oneof(fc.constantFrom('kpm', 'ue_radio'), text),
  tags: fc.dictionary(text, fc.oneof(text, fc.constant(7 as unknown as string)), { maxKeys: 3 }),
  fields: fc.dictionary(text, fc.oneof(fc.double(), fc.integer(), fc.boolean(), text, fc.constant(undefined)), { maxKeys: 3 }),
  timestampNs: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n }), fc.constant(1n)),
}) as fc.Arbitrary<Point>;

function outcome(f: () => string): string {
  try {
    return 'ok ' + f();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

describe('LineFormatter', () => {
  const opts: LineOptions = { integerFields: { kpm: ['prb', 'a'] }, defaultTags: { rig: 'r 1', trial: 't' } };
  it('equals toLine for every point, first time and cached (property)', () => {
    const f = new LineFormatter(opts);
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 5 }), (ps) => {
        for (const p of [...ps, ...ps]) expect(outcome(() => f.line(p))).toBe(outcome(() => toLine(p, opts)));
      }),
      { numRuns: 400 },
    );
  });
  it('a point\'s own tag wins over a default tag, as in toLine', () => {
    const f = new LineFormatter(opts);
    const p: Point = { measurement: 'kpm', tags: { rig: 'mine' }, fields: { prb: 3 }, timestampNs: 5n };
    expect(f.line(p)).toBe('kpm,rig=mine,trial=t prb=3i 5');
    expect(f.line({ ...p, tags: {} })).toBe('kpm,rig=r\\ 1,trial=t prb=3i 5');
  });
});
