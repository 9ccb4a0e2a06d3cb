// Link-budget arithmetic of the twin's radio model: power units, thermal noise, how a cell
// spreads its power over its PRBs, RSRP and RSRQ.
import { prbWidthKHz, type Rat } from '../../nr/index.js';

/** Thermal noise density at 290 K, dBm/Hz. */
export const THERMAL_NOISE_DBM_PER_HZ = -174;
/** UE receiver noise figure used when the config gives none, dB. */
export const DEFAULT_NOISE_FIGURE_DB = 7;
/**
 * Base-station receiver noise figure used when the config gives none, dB: 5 dB, the value
 * 3GPP evaluation assumptions give a macro gNB below 6 GHz (TR 38.802 Table A.2.1-1).
 */
export const DEFAULT_GNB_NOISE_FIGURE_DB = 5;
/** Reference bandwidth of a power spectral density on the air: one LTE resource block. */
export const PSD_REFERENCE_KHZ = 180;

export function dbmToMw(dbm: number): number {
  return 10 ** (dbm / 10);
}
export function mwToDbm(mw: number): number {
  return 10 * Math.log10(mw);
}

/** Thermal noise in a bandwidth, dBm: -174 dBm/Hz + 10 log10(B) + NF. */
export function thermalNoiseDbm(bandwidthHz: number, noiseFigureDb = DEFAULT_NOISE_FIGURE_DB): number {
  return THERMAL_NOISE_DBM_PER_HZ + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** The frequency and power facts of one carrier that the model needs. */
export interface Carrier {
  rat: Rat;
  /** Centre frequency, MHz. */
  carrierMHz: number;
  bandwidthMHz: number;
  scsKHz: number;
  prbTotal: number;
  /** Total transmit power, spread evenly over all the carrier's PRBs, dBm. */
  txPowerDbm: number;
  /** MIMO layers on the downlink (v in TS 38.306 §4.1.2); default 1. */
  mimoLayersDl?: number;
  /** MIMO layers on the uplink; default 1. */
  mimoLayersUl?: number;
}

/** Transmit power per PRB of this carrier (power spread over all its PRBs), dBm. */
export function psdPerPrbDbm(c: Pick<Carrier, 'txPowerDbm' | 'prbTotal'>): number {
  return c.txPowerDbm - 10 * Math.log10(c.prbTotal);
}

/** Transmit power spectral density per 180 kHz (what goes on the air), dBm. */
export function psdPer180kHzDbm(c: Pick<Carrier, 'txPowerDbm' | 'prbTotal' | 'scsKHz'>): number {
  return psdPerPrbDbm(c) - 10 * Math.log10(prbWidthKHz(c.scsKHz) / PSD_REFERENCE_KHZ);
}

/**
 * RSRP, dBm: the power of one resource element (PRB power / 12 subcarriers) after path loss
 * (TS 38.215 / 36.214: linear average over the reference-signal resource elements).
 */
export function rsrpDbm(c: Pick<Carrier, 'txPowerDbm' | 'prbTotal'>, pathLossDb: number): number {
  return psdPerPrbDbm(c) - 10 * Math.log10(12) - pathLossDb;
}

/** RSRQ = N x RSRP / RSSI (N resource blocks of the RSSI measurement bandwidth), dB, clamped to -20..-3. */
export function rsrqDb(rsrpDbmValue: number, rssiDbm: number, nPrb: number): number {
  const v = 10 * Math.log10(nPrb) + rsrpDbmValue - rssiDbm;
  return Math.min(-3, Math.max(-20, v));
}
