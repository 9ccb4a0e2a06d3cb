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
 * The channel raster step, MHz: the global raster's ΔF_Global (5 kHz below 3 GHz, 15 kHz up
 * to 24.25 GHz) times the band's step, which for 30 kHz ΔF_Raster in the 3-6 GHz TDD bands
 * (n77, n78, n79) is 2.
 */
export function nrRasterStepMHz(band: string, carrierMHz: number, scsKHz: number): number {
  const global = carrierMHz < 3000 ? 0.005 : 0.015;
  const n = Number(band.replace(/^n/i, ''));
  const step = scsKHz === 30 && [77, 78, 79].includes(n) ? 2 : 1;
  return global * step;
}
