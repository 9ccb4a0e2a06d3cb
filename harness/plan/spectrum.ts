// From grants (token units of the shared band, per operator) to what each base station
// is told: a segment of the shared band per operator, and for each cell the PRBs that lie
// inside its operator's segment. Coordinated policies (ledger, equal) lay the segments side
// by side; the random baseline places each operator's segment independently, as operators
// with no ledger to coordinate them would, so segments can overlap (and interfere).
import type { RigCell, RigSpectrum } from '../rig/index.js';
import { bandUnits } from '../rig/index.js';
import { carrierLowEdgeMHz, prbWidthKHz } from '../nr/index.js';

export interface Segment {
  operator: string;
  units: number;
  lowMHz: number;
  highMHz: number;
}

export interface CellQuota {
  cellId: string;
  startPrb: number;
  nPrb: number;
}

/** Lay granted units side by side from the band's low edge, in the given operator order. */
export function contiguousSegments(spectrum: RigSpectrum, grants: Map<string, number>): Segment[] {
  const unitMHz = spectrum.tokenUnitKHz / 1000;
  const W = bandUnits(spectrum);
  let offset = 0;
  const out: Segment[] = [];
  for (const [operator, units] of grants) {
    if (!Number.isInteger(units) || units < 0) throw new RangeError(`grant for ${operator} is not a whole number of units: ${units}`);
    if (offset + units > W) throw new RangeError(`grants exceed the shared band: ${offset + units} > ${W} units`);
    out.push({ operator, units, lowMHz: spectrum.lowEdgeMHz + offset * unitMHz, highMHz: spectrum.lowEdgeMHz + (offset + units) * unitMHz });
    offset += units;
  }
  return out;
}

/** W/n each (integer units; the remainder goes one each to the first operators). */
export function equalGrants(spectrum: RigSpectrum, operators: string[]): Map<string, number> {
  const W = bandUnits(spectrum);
  const base = Math.floor(W / operators.length);
  const extra = W - base * operators.length;
  return new Map(operators.map((op, i) => [op, base + (i < extra ? 1 : 0)]));
}

/**
 * The random baseline of seeds/004 (its Fig. 2): each epoch a random split of W among the
 * operators (uniform on the simplex), and each operator places its share at a random
 * position in the band, uncoordinated.
 */
export function randomSegments(spectrum: RigSpectrum, operators: string[], rand: () => number): Segment[] {
  const W = bandUnits(spectrum);
  const unitMHz = spectrum.tokenUnitKHz / 1000;
  const cuts = operators.slice(1).map(() => Math.floor(rand() * (W + 1))).sort((a, b) => a - b);
  const bounds = [0, ...cuts, W];
  return operators.map((operator, i) => {
    const units = bounds[i + 1]! - bounds[i]!;
    const start = Math.floor(rand() * (W - units + 1));
    return { operator, units, lowMHz: spectrum.lowEdgeMHz + start * unitMHz, highMHz: spectrum.lowEdgeMHz + (start + units) * unitMHz };
  });
}

/** The PRBs of a cell lying wholly inside a segment of the band. */
export function quotaForCell(cell: RigCell & { prbTotal: number }, seg: Segment): CellQuota {
  const lowMHz = carrierLowEdgeMHz(cell);
  const prbMHz = prbWidthKHz(cell.scsKHz) / 1000;
  const eps = 1e-9;
  const start = Math.max(0, Math.ceil((seg.lowMHz - lowMHz) / prbMHz - eps));
  const end = Math.min(cell.prbTotal, Math.floor((seg.highMHz - lowMHz) / prbMHz + eps));
  return { cellId: cell.id, startPrb: Math.min(start, cell.prbTotal), nPrb: Math.max(0, end - start) };
}

/** Measured use in token units: PRBs used x PRB width / token width. */
export function usedUnits(prbUsed: number, scsKHz: number, tokenUnitKHz: number): number {
  return Math.round((prbUsed * prbWidthKHz(scsKHz)) / tokenUnitKHz);
}

/** A small seeded PRNG (mulberry32) so a random-policy run can be repeated with --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
