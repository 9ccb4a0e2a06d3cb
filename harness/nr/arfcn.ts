// Channel numbers: NR-ARFCN on the global frequency raster (TS 38.104 §5.4.2.1) and LTE
// downlink EARFCN (TS 36.101 §5.7.3).
import { ConfigError } from '../errors.js';

/** NR-ARFCN of a frequency on the global raster (TS 38.104 Table 5.4.2.1-1), rounded to the nearest. */
export function nrArfcn(freqMHz: number): number {
  if (!(freqMHz >= 0 && freqMHz < 100_000)) throw new RangeError(`NR-ARFCN: ${freqMHz} MHz is outside 0..100000 MHz`);
  if (freqMHz < 3000) return Math.round(freqMHz / 0.005);
  if (freqMHz < 24250) return 600_000 + Math.round((freqMHz - 3000) / 0.015);
  return 2_016_667 + Math.round((freqMHz - 24250.08) / 0.06);
}

/** LTE downlink bands known here (TS 36.101 Table 5.7.3-1): F_DL_low, N_Offs-DL, F_DL_high. */
export const LTE_DL_BANDS: ReadonlyMap<number, { fLowMHz: number; nOffs: number; fHighMHz: number }> = new Map([
  [1, { fLowMHz: 2110, nOffs: 0, fHighMHz: 2170 }],
  [3, { fLowMHz: 1805, nOffs: 1200, fHighMHz: 1880 }],
  [7, { fLowMHz: 2620, nOffs: 2750, fHighMHz: 2690 }],
  [8, { fLowMHz: 925, nOffs: 3450, fHighMHz: 960 }],
  [20, { fLowMHz: 791, nOffs: 6150, fHighMHz: 821 }],
  [28, { fLowMHz: 758, nOffs: 9210, fHighMHz: 803 }],
  [38, { fLowMHz: 2570, nOffs: 37750, fHighMHz: 2620 }],
  [40, { fLowMHz: 2300, nOffs: 38650, fHighMHz: 2400 }],
  [41, { fLowMHz: 2496, nOffs: 39650, fHighMHz: 2690 }],
  [42, { fLowMHz: 3400, nOffs: 41590, fHighMHz: 3600 }],
  [43, { fLowMHz: 3600, nOffs: 43590, fHighMHz: 3800 }],
  [46, { fLowMHz: 5150, nOffs: 46790, fHighMHz: 5925 }],
  [48, { fLowMHz: 3550, nOffs: 55240, fHighMHz: 3700 }],
]);

/** Downlink EARFCN: N = N_Offs-DL + (F - F_DL_low) / 0.1 MHz. Band as "B46", "b46" or "46". */
export function lteEarfcn(band: string, freqMHz: number): number {
  const m = /^[Bb]?(\d{1,3})$/.exec(band.trim());
  const b = m ? LTE_DL_BANDS.get(Number(m[1])) : undefined;
  if (!b) {
    throw new ConfigError(
      `no EARFCN table entry for LTE band ${band} (known: ${[...LTE_DL_BANDS.keys()].map((k) => 'B' + k).join(', ')}); give the cell an arfcn`,
    );
  }
  if (freqMHz < b.fLowMHz || freqMHz > b.fHighMHz) {
    throw new ConfigError(`${freqMHz} MHz is outside LTE band ${band} downlink (${b.fLowMHz}..${b.fHighMHz} MHz)`);
  }
  return b.nOffs + Math.round((freqMHz - b.fLowMHz) / 0.1);
}

/** The channel number of a carrier centre: NR-ARFCN for NR, EARFCN (needs the band) for LTE. */
export function carrierArfcn(rat: 'NR' | 'LTE', band: string, freqMHz: number): number {
  return rat === 'NR' ? nrArfcn(freqMHz) : lteEarfcn(band, freqMHz);
}
