// Where a carrier's PRBs lie in absolute frequency: the transmission bandwidth
// (N_RB x 12 x SCS) is centred on the carrier, with the guard bands outside it
// (TS 38.101-1 §5.3.3, TS 36.101 §5.6).
import { prbWidthKHz } from './prb.js';

export interface CarrierGrid {
  /** Centre frequency, MHz. */
  carrierMHz: number;
  prbTotal: number;
  scsKHz: number;
}

/** Low edge of PRB 0, MHz: the centre minus half of N_RB x 12 x SCS. */
export function carrierLowEdgeMHz(c: CarrierGrid): number {
  return c.carrierMHz - (c.prbTotal * prbWidthKHz(c.scsKHz)) / 2000;
}

/** Absolute frequency range occupied by PRBs [startPrb, startPrb + nPrb), MHz. */
export function prbRangeMHz(c: CarrierGrid, startPrb: number, nPrb: number): { lowMHz: number; highMHz: number } {
  const edge = carrierLowEdgeMHz(c);
  const w = prbWidthKHz(c.scsKHz) / 1000;
  return { lowMHz: edge + startPrb * w, highMHz: edge + (startPrb + nPrb) * w };
}
