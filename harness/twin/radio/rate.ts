// Throughput of PRBs at a CQI: TS 38.306 §4.1.2 (harness/nr) with the (Qm, R) of the CQI
// entry in place of the peak's, per direction's overhead and the carrier's MIMO layers.
// LTE carriers use the same formula at mu = 0 (15 kHz, 14 symbols per ms with normal cyclic
// prefix): an approximation, as TS 38.306 is an NR specification.
import { OVERHEAD, cqiEntry, frequencyRange, nrDataRateBps, numerology, type CqiTable, type Direction } from '../../nr/index.js';
import type { Carrier } from './link.js';

/** OH for a carrier and direction (TS 38.306 §4.1.2: FR1 DL 0.14, FR1 UL 0.08, FR2 DL 0.18, FR2 UL 0.10). */
export function overheadFor(c: Pick<Carrier, 'carrierMHz'>, direction: Direction): number {
  return OVERHEAD[frequencyRange(c.carrierMHz)][direction];
}

export function layersFor(c: Pick<Carrier, 'mimoLayersDl' | 'mimoLayersUl'>, direction: Direction): number {
  return (direction === 'dl' ? c.mimoLayersDl : c.mimoLayersUl) ?? 1;
}

/** bit/s carried by one PRB of the carrier at a CQI of the table (0 for CQI 0). */
export function prbRateBps(c: Carrier, cqi: number, table: CqiTable, direction: Direction, overhead = overheadFor(c, direction)): number {
  const e = cqiEntry(cqi, table);
  if (!e) return 0;
  return nrDataRateBps({
    layers: layersFor(c, direction),
    qm: e.qm,
    codeRate: e.rateX1024 / 1024,
    nPrb: 1,
    mu: numerology(c.scsKHz),
    overhead,
  });
}
