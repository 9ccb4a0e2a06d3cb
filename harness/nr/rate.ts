// The NR data rate of TS 38.306 §4.1.2 for one carrier:
//
//   rate (bit/s) = v_layers x Qm x f x R x N_PRB x 12 / Ts^mu x (1 - OH)
//
// with Ts^mu = 1e-3 / (14 x 2^mu) s, the average OFDM symbol duration in a subframe for
// normal cyclic prefix (so the cyclic prefix is paid for), and OH the overhead share for
// the frequency range and direction. The specification writes it with R_max = 948/1024 and
// the largest Qm for the peak; with the (Qm, R) of a CQI or MCS entry it gives that entry's
// rate.

export type Direction = 'dl' | 'ul';
export type FrequencyRange = 'FR1' | 'FR2';

/** OH(j) of TS 38.306 §4.1.2: FR1 DL 0.14, FR2 DL 0.18, FR1 UL 0.08, FR2 UL 0.10. */
export const OVERHEAD: Readonly<Record<FrequencyRange, Readonly<Record<Direction, number>>>> = {
  FR1: { dl: 0.14, ul: 0.08 },
  FR2: { dl: 0.18, ul: 0.1 },
};

/** Frequency range of a carrier: FR1 410..7125 MHz, FR2 24250..71000 MHz (TS 38.101-1/-2 §5.1). */
export function frequencyRange(carrierMHz: number): FrequencyRange {
  return carrierMHz >= 24250 ? 'FR2' : 'FR1';
}

/** Ts^mu: average OFDM symbol duration in a subframe, normal cyclic prefix, seconds. */
export function symbolDurationS(mu: number): number {
  return 1e-3 / (14 * 2 ** mu);
}

export interface RateInput {
  /** MIMO layers v. */
  layers: number;
  /** Modulation order Qm. */
  qm: number;
  /** Code rate R (0..1), e.g. 948/1024. */
  codeRate: number;
  /** Resource blocks N_PRB. */
  nPrb: number;
  /** Numerology mu (SCS = 15 kHz x 2^mu). */
  mu: number;
  /** Overhead OH (0..1). */
  overhead: number;
  /** Scaling factor f (1, 0.8, 0.75 or 0.4); default 1. */
  scaling?: number;
}

/** Data rate of one carrier per TS 38.306 §4.1.2, bit/s. */
export function nrDataRateBps(x: RateInput): number {
  const f = x.scaling ?? 1;
  return (x.layers * x.qm * f * x.codeRate * x.nPrb * 12 * (1 - x.overhead)) / symbolDurationS(x.mu);
}
