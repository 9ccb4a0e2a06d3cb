// Channel bandwidths each NR band allows per subcarrier spacing (TS 38.101-1 Table 5.3.5-1,
// FR1; the bands ranlab's rigs use), and the NR channel raster step (TS 38.104 §5.4.2.3).

/** Allowed channel bandwidths, MHz, by band number then SCS (kHz). */
export const NR_BAND_BANDWIDTHS: ReadonlyMap<number, Readonly<Record<number, readonly number[]>>> = new Map([
  [3, { 15: [5, 10, 15, 20, 25, 30, 40], 30: [10, 15, 20, 25, 30, 40] }],
  [7, { 15: [5, 10, 15, 20], 30: [10, 15, 20] }],
  [41, { 15: [10, 15, 20, 30, 40, 50], 30: [10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100] }],
  [46, { 15: [10, 15, 20, 40], 30: [10, 15, 20, 40, 60, 80] }],
  [77, { 15: [10, 15, 20, 25, 30, 40, 50], 30: [10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100] }],
  [78, { 15: [10, 15, 20, 25, 30, 40, 50], 30: [10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100] }],
  [79, { 15: [40, 50], 30: [40, 50, 60, 70, 80, 90, 100] }],
]);

/** The standard channel bandwidths of `band` ("n78") at `scsKHz`, ascending; empty when unknown. */
export function nrBandwidths(band: string, scsKHz: number): readonly number[] {
  return NR_BAND_BANDWIDTHS.get(Number(band.replace(/^n/i, '')))?.[scsKHz] ?? [];
}

/**
 * The channel raster step, MHz (TS 38.104 Table 5.4.2.3-1): 100 kHz for the FDD bands below
 * 3 GHz (n3, n7: 20 steps of the 5 kHz global raster); n41 and the 3-6 GHz TDD bands step by
 * the SCS (15 or 30 kHz, on the 5 kHz or 15 kHz global raster); n46 by 15 kHz.
 */
export function nrRasterStepMHz(band: string, carrierMHz: number, scsKHz: number): number {
  const n = Number(band.replace(/^n/i, ''));
  if ([41, 77, 78, 79].includes(n)) return scsKHz / 1000;
  if (n === 46) return 0.015;
  return carrierMHz < 3000 ? 0.1 : 0.015;
}
