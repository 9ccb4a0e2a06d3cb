import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contiguousSegments, equalGrants, quotaForCell, randomSegments, seededRandom, usedUnits } from '../harness/plan/index.js';
import { convergedAtEpoch, jain, lastQuarterStart } from '../harness/trial/fairness.js';

const spectrum = { bandMHz: 40, lowEdgeMHz: 5150, tokenUnitKHz: 180, supplyTokens: 13320, priceTokensPerUnitSecond: 1, epochMs: 1000 };
const cell = { id: 'c', rat: 'NR' as const, band: 'n46', carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15 as const, pci: 1, txPowerDbm: 30, prbTotal: 216 };

describe('spectrum plan', () => {
  it('lays grants side by side and maps them to disjoint PRB ranges of co-located cells', () => {
    const segs = contiguousSegments(spectrum, new Map([['a', 111], ['b', 111]]));
    expect(segs[0]).toMatchObject({ operator: 'a', lowMHz: 5150 });
    expect(segs[1]!.lowMHz).toBeCloseTo(5150 + 111 * 0.18, 9);
    const qa = quotaForCell(cell, segs[0]!);
    const qb = quotaForCell(cell, segs[1]!);
    expect(qa.startPrb).toBe(0);
    expect(qa.startPrb + qa.nPrb).toBeLessThanOrEqual(qb.startPrb);
    expect(qb.startPrb + qb.nPrb).toBeLessThanOrEqual(216);
    // The 216-PRB carrier sits inside the 222-unit band: only the guard edges are lost.
    expect(qa.nPrb + qb.nPrb).toBeGreaterThanOrEqual(214);
  });

  it('refuses grants that exceed the band', () => {
    expect(() => contiguousSegments(spectrum, new Map([['a', 200], ['b', 23]]))).toThrow(/exceed the shared band/);
  });

  it('equal grants split W into whole units', () => {
    expect([...equalGrants(spectrum, ['a', 'b', 'c', 'd']).values()]).toEqual([56, 56, 55, 55]);
  });

  it('random segments always split exactly W, lie inside the band, and can overlap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer(), (n, seed) => {
        const ops = Array.from({ length: n }, (_, i) => `op${i}`);
        const segs = randomSegments(spectrum, ops, seededRandom(seed));
        expect(segs.reduce((a, s) => a + s.units, 0)).toBe(222);
        for (const s of segs) {
          expect(s.lowMHz).toBeGreaterThanOrEqual(5150 - 1e-9);
          expect(s.highMHz).toBeLessThanOrEqual(5150 + 222 * 0.18 + 1e-9);
        }
      }),
    );
    const rand = seededRandom(7);
    let overlaps = 0;
    for (let i = 0; i < 100; i++) {
      const [a, b] = randomSegments(spectrum, ['a', 'b'], rand);
      if (a!.lowMHz < b!.highMHz && b!.lowMHz < a!.highMHz && a!.units && b!.units) overlaps++;
    }
    expect(overlaps).toBeGreaterThan(20);
  });

  it('turns measured PRBs into token units by PRB width', () => {
    expect(usedUnits(107, 15, 180)).toBe(107);
    expect(usedUnits(50, 30, 180)).toBe(100);
  });
});

describe('fairness figures', () => {
  it("Jain's index is 1 for equal shares and 1/n when one takes all", () => {
    expect(jain([5, 5, 5])).toBe(1);
    expect(jain([9, 0, 0])).toBeCloseTo(1 / 3, 12);
    expect(jain([3, 1])).toBeCloseTo(16 / 20, 12);
  });

  it('convergence is the first epoch from which every grant stays within tolerance', () => {
    expect(convergedAtEpoch([[30, 10], [21, 19], [20, 20], [20.3, 19.7]], 20, 0.02)).toBe(2);
    expect(convergedAtEpoch([[20, 20], [30, 10]], 20)).toBeNull();
    expect(lastQuarterStart(40)).toBe(30);
    expect(lastQuarterStart(3)).toBe(2);
  });
});

describe('module boundaries', () => {
  const importsOf = (file: string): [string, string][] =>
    [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => [file, m[1]!]);
  const imports = (dir: string): [string, string][] =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => importsOf(join(dir, f)));

  it('plan/ and rig/ take 3GPP tables from harness/nr, never from the twin', () => {
    const bad = [...imports('harness/plan'), ...imports('harness/rig')].filter(([, m]) => /\/twin\//.test(m));
    expect(bad).toEqual([]);
    expect(imports('harness/plan').some(([, m]) => m === '../nr/index.js')).toBe(true);
  });

  it('the twin base station and radio model import the wire contract, no driver', () => {
    const twin = [...imports('harness/twin/gnb'), ...imports('harness/twin/radio'), ...importsOf('harness/twin/gnb.ts'), ...importsOf('harness/twin/radio.ts')];
    const bad = twin.filter(([, m]) => /(^|\/)(ran|ue)\//.test(m));
    expect(bad).toEqual([]);
  });
});
