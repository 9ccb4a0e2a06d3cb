// Resource blocks per carrier: how many PRBs a channel bandwidth holds at a subcarrier
// spacing, and how wide one PRB is.
//   LTE     TS 36.101 Table 5.6-1 (transmission bandwidth configuration N_RB)
//   NR FR1  TS 38.101-1 Table 5.3.2-1 (maximum transmission bandwidth configuration N_RB)
import { ConfigError } from '../errors.js';

export type Rat = 'NR' | 'LTE';

/** LTE, TS 36.101 Table 5.6-1: channel bandwidth (MHz) -> N_RB (15 kHz subcarriers only). */
export const LTE_PRB_TABLE: ReadonlyMap<number, number> = new Map([
  [1.4, 6],
  [3, 15],
  [5, 25],
  [10, 50],
  [15, 75],
  [20, 100],
]);

/**
 * NR FR1, TS 38.101-1 Table 5.3.2-1, every row of the Rel-17/18 table, by SCS (kHz) then
 * channel bandwidth (MHz). N/A entries (15 kHz above 50 MHz, 30 kHz at 3 MHz, 60 kHz below
 * 10 MHz) are absent.
 */
export const NR_FR1_PRB_TABLE: Readonly<Record<15 | 30 | 60, ReadonlyMap<number, number>>> = {
  15: new Map([
    [3, 15], [5, 25], [10, 52], [15, 79], [20, 106], [25, 133], [30, 160], [35, 188], [40, 216], [45, 242], [50, 270],
  ]),
  30: new Map([
    [5, 11], [10, 24], [15, 38], [20, 51], [25, 65], [30, 78], [35, 92], [40, 106], [45, 119], [50, 133],
    [60, 162], [70, 189], [80, 217], [90, 245], [100, 273],
  ]),
  60: new Map([
    [10, 11], [15, 18], [20, 24], [25, 31], [30, 38], [35, 44], [40, 51], [45, 58], [50, 65],
    [60, 79], [70, 93], [80, 107], [90, 121], [100, 135],
  ]),
};

/**
 * Resource blocks a carrier holds. Throws ConfigError (naming both values) for a
 * bandwidth / subcarrier-spacing combination the 3GPP tables do not define.
 */
export function prbCount(rat: Rat, bandwidthMHz: number, scsKHz: number): number {
  if (rat === 'LTE') {
    const n = scsKHz === 15 ? LTE_PRB_TABLE.get(bandwidthMHz) : undefined;
    if (n === undefined) {
      throw new ConfigError(
        `LTE does not define a ${bandwidthMHz} MHz carrier at ${scsKHz} kHz subcarrier spacing ` +
          `(TS 36.101 Table 5.6-1: 15 kHz SCS with ${[...LTE_PRB_TABLE.keys()].join(', ')} MHz)`,
        'CONFIG_INVALID',
      );
    }
    return n;
  }
  if (rat === 'NR') {
    const table = (NR_FR1_PRB_TABLE as Record<number, ReadonlyMap<number, number> | undefined>)[scsKHz];
    const n = table?.get(bandwidthMHz);
    if (n === undefined) {
      const valid = table ? `${[...table.keys()].join(', ')} MHz at ${scsKHz} kHz` : 'SCS 15, 30 or 60 kHz';
      throw new ConfigError(
        `NR FR1 does not define a ${bandwidthMHz} MHz carrier at ${scsKHz} kHz subcarrier spacing ` +
          `(TS 38.101-1 Table 5.3.2-1: ${valid})`,
        'CONFIG_INVALID',
      );
    }
    return n;
  }
  throw new ConfigError(`unknown RAT ${String(rat)} (expected NR or LTE)`, 'CONFIG_INVALID');
}

/** Width of one resource block: 12 subcarriers x SCS, kHz (180 kHz at 15 kHz SCS). */
export function prbWidthKHz(scsKHz: number): number {
  return 12 * scsKHz;
}

/** Numerology mu of a subcarrier spacing: SCS = 15 kHz x 2^mu (TS 38.211 §4.2). */
export function numerology(scsKHz: number): number {
  const mu = Math.log2(scsKHz / 15);
  if (!Number.isInteger(mu) || mu < 0 || mu > 6) throw new RangeError(`subcarrier spacing ${scsKHz} kHz is not 15 kHz x 2^mu (mu 0..6)`);
  return mu;
}
