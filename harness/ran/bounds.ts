// Physical bounds of a cell, from 3GPP: what a base station's reports can possibly be.
// A value outside them did not come from the radio, whatever the agent says.
//
//   PRBs per carrier   the tables in the tree (TS 38.101-1 Table 5.3.2-1, TS 36.101 Table 5.6-1)
//   peak data rate     TS 38.306 §4.1.2, taken generously (see peakRateKbps)
//   SCS                TS 38.211 §4.2: 15 x 2^mu kHz, mu = 0..4
import { prbCount, type Rat } from '../nr/index.js';

/** Subcarrier spacings NR defines (TS 38.211 Table 4.2-1, mu 0..4), kHz. */
export const NR_SCS_KHZ: readonly number[] = [15, 30, 60, 120, 240];
/** LTE has one. */
export const LTE_SCS_KHZ: readonly number[] = [15];

/** The resource-block count of a carrier; throws (naming both values) for a combination 3GPP does not define. */
export function carrierPrbCount(rat: Rat, bandwidthMHz: number, scsKHz: number): number {
  return prbCount(rat, bandwidthMHz, scsKHz);
}

/**
 * An upper bound on what a carrier can carry, kbit/s: the TS 38.306 §4.1.2 approximate peak
 * rate with every factor at its largest (8 MIMO layers, 1024QAM Qm = 10, scaling f = 1,
 * Rmax = 948/1024, no overhead): v * Qm * f * Rmax * N_PRB * 12 / T_s, with
 * T_s = 1e-3 / (14 * 2^mu) s. No real cell reaches it; a report above it is not a measurement.
 */
export function peakRateKbps(prbTotal: number, scsKHz: number): number {
  const mu = Math.log2(scsKHz / 15);
  const symbolsPerSecond = 14_000 * 2 ** mu;
  const bps = 8 * 10 * 1 * (948 / 1024) * prbTotal * 12 * symbolsPerSecond;
  return bps / 1000;
}

/** What every report about one cell is checked against. */
export interface CellBounds {
  cellId: string;
  prbTotal: number;
  peakKbps: number;
}

export function cellBounds(cell: { id: string; rat: Rat; bandwidthMHz: number; scsKHz: number }): CellBounds {
  const prbTotal = carrierPrbCount(cell.rat, cell.bandwidthMHz, cell.scsKHz);
  return { cellId: cell.id, prbTotal, peakKbps: peakRateKbps(prbTotal, cell.scsKHz) };
}

/** Ranges of per-UE radio readings (generous: the twin reports 0 for a cell that is off). */
export const UE_RANGES = {
  cqi: { min: 0, max: 15 },
  sinrDb: { min: -60, max: 90 },
  rsrpDbm: { min: -200, max: 30 },
  rsrqDb: { min: -60, max: 20 },
} as const;
