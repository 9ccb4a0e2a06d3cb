// Which CQI a SINR earns: the one mapping in the twin that is not 3GPP material (3GPP
// specifies the CQI tables and the 10 % BLER target, not the SINR each entry needs, which
// depends on the receiver). Two documented mappings are used, each for the table it was made
// for:
//
// - NR, 256QAM table (TS 38.214 Table 5.2.2.1-3): the SINR-to-CQI lookup tables for 10 %
//   BLER of MathWorks' 5G Toolbox system-level examples (DownlinkSINR90pc and
//   UplinkSINR90pc), as public MATLAB projects built on those examples carry them, described
//   there as "SINR to a CQI index mapping table for a block error rate (BLER) of 0.1 ...
//   corresponds to the CQI table as per 3GPP TS 38.214 Table 5.2.2.1-3". The uplink ladder
//   sits 2 dB below the downlink one.
// - LTE (TS 36.213 Table 7.2.3-1, the 64QAM ladder): the 10 % BLER thresholds of MathWorks'
//   "5G NR CQI Reporting" example as used in a public system-level simulator (DOMAIN.md §6).
//   No separate uplink ladder is documented for it, so the LTE uplink uses the same one.
import type { CqiTable, Direction } from '../../nr/index.js';

/** SINR (dB) for CQI 1..15 (element 0 = CQI 1), NR 256QAM table, downlink. */
export const NR256_DL_SINR_THRESHOLDS_DB: readonly number[] = [
  -3.46, 1.54, 6.54, 11.05, 13.54, 16.04, 17.54, 20.04, 22.04, 24.43, 26.93, 27.43, 29.43, 32.43, 35.43,
];
/** SINR (dB) for CQI 1..15, NR 256QAM table, uplink (PUSCH at the gNB). */
export const NR256_UL_SINR_THRESHOLDS_DB: readonly number[] = [
  -5.46, -0.46, 4.54, 9.05, 11.54, 14.04, 15.54, 18.04, 20.04, 22.43, 24.93, 25.43, 27.43, 30.43, 33.43,
];
/** SINR (dB) for CQI 1..15 of the 64QAM ladder (LTE Table 7.2.3-1). */
export const SINR_CQI_THRESHOLDS_DB: readonly number[] = [
  -1.89, -0.82, 0.95, 2.95, 4.9, 7.39, 8.89, 11.02, 13.32, 14.68, 16.62, 18.91, 21.58, 24.88, 29.32,
];

export function sinrThresholdsDb(table: CqiTable, direction: Direction = 'dl'): readonly number[] {
  if (table === 'lte') return SINR_CQI_THRESHOLDS_DB;
  return direction === 'ul' ? NR256_UL_SINR_THRESHOLDS_DB : NR256_DL_SINR_THRESHOLDS_DB;
}

/**
 * CQI (0 = out of range, 1..15) for a SINR: the highest index whose threshold the SINR
 * reaches. For the uplink the index names the (Qm, R) the scheduler would pick from the same
 * table for the PUSCH.
 */
export function sinrToCqi(sinrDb: number, table: CqiTable = 'lte', direction: Direction = 'dl'): number {
  if (Number.isNaN(sinrDb)) return 0;
  const t = sinrThresholdsDb(table, direction);
  let cqi = 0;
  for (let i = 0; i < t.length; i++) {
    if (sinrDb >= t[i]!) cqi = i + 1;
    else break;
  }
  return cqi;
}
