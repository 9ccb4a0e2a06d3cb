// The uplink of one UE: how much power it puts into each PRB of its grant (PUSCH power
// control) and the SINR that gives at the base station.
//
// Power control is TS 38.213 §7.1.1's open loop with no closed-loop correction (f = 0) and
// no transport-format term (delta_TF = 0):
//   P_PUSCH = min(P_CMAX, P0 + 10 log10(2^mu x M_RB) + alpha x PL)   dBm
// so below P_CMAX every PRB gets the same power whatever the grant, and throughput is
// proportional to the PRBs granted. A UE at P_CMAX spreads its maximum power over the grant:
// halving the grant then raises its power per PRB by 3 dB, so throughput falls by less than
// half (by one or two CQI steps' worth).
//
// The model's tolerance for "halving the grant halves the uplink throughput": exact below
// P_CMAX (tests allow 1 % for rounding; an odd grant halves to whole PRBs); at P_CMAX the
// halved grant keeps at least half, more by the CQI its 3 dB gain earns.
import { numerology } from '../../nr/index.js';

/** P_CMAX of a power class 3 UE, dBm (TS 38.101-1 Table 6.2.1-1: 23 dBm). */
export const UE_MAX_POWER_DBM = 23;
/**
 * P0 (dBm per PRB at 15 kHz) and alpha of the twin's cells: full path-loss compensation
 * (alpha = 1) to -90 dBm per PRB. A choice within TS 38.331's ranges (p0-NominalWithGrant
 * -202..24 dBm, alpha 0 or 0.4..1), not a vendor default.
 */
export const DEFAULT_P0_DBM = -90;
export const DEFAULT_ALPHA = 1;

export interface PowerControl {
  /** The UE's maximum output power, dBm (default 23). */
  pMaxDbm?: number;
  p0Dbm?: number;
  alpha?: number;
}

/** PUSCH transmit power for a grant of nPrb PRBs at a path loss, dBm. */
export function puschPowerDbm(nPrb: number, pathLossDb: number, scsKHz: number, pc: PowerControl = {}): number {
  const pMax = pc.pMaxDbm ?? UE_MAX_POWER_DBM;
  if (nPrb <= 0) return -Infinity;
  const open = (pc.p0Dbm ?? DEFAULT_P0_DBM) + 10 * Math.log10(2 ** numerology(scsKHz) * nPrb) + (pc.alpha ?? DEFAULT_ALPHA) * pathLossDb;
  return Math.min(pMax, open);
}
