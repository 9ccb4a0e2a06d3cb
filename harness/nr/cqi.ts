// 4-bit CQI tables: modulation order Qm, target code rate R x 1024 and spectral efficiency
// per CQI index 1..15 (index 0 = out of range, carries nothing).
//   'lte'    LTE TS 36.213 Table 7.2.3-1 (identical to NR TS 38.214 Table 5.2.2.1-2, 64QAM)
//   'nr256'  NR TS 38.214 Table 5.2.2.1-3 (up to 256QAM)

export interface CqiEntry {
  /** Modulation order: 2 QPSK, 4 16QAM, 6 64QAM, 8 256QAM. */
  qm: 2 | 4 | 6 | 8;
  /** Target code rate x 1024. */
  rateX1024: number;
  /** Spectral efficiency as the table prints it (Qm x R rounded to 4 decimals), bit/s/Hz. */
  efficiency: number;
}

export type CqiTable = 'lte' | 'nr256';

const e = (qm: CqiEntry['qm'], rateX1024: number, efficiency: number): CqiEntry => ({ qm, rateX1024, efficiency });

/** TS 36.213 Table 7.2.3-1 / TS 38.214 Table 5.2.2.1-2; element 0 is CQI 1. */
export const LTE_CQI_TABLE: readonly CqiEntry[] = [
  e(2, 78, 0.1523), e(2, 120, 0.2344), e(2, 193, 0.377), e(2, 308, 0.6016), e(2, 449, 0.877), e(2, 602, 1.1758),
  e(4, 378, 1.4766), e(4, 490, 1.9141), e(4, 616, 2.4063),
  e(6, 466, 2.7305), e(6, 567, 3.3223), e(6, 666, 3.9023), e(6, 772, 4.5234), e(6, 873, 5.1152), e(6, 948, 5.5547),
];

/** TS 38.214 Table 5.2.2.1-3; element 0 is CQI 1. */
export const NR_CQI_TABLE_256QAM: readonly CqiEntry[] = [
  e(2, 78, 0.1523), e(2, 193, 0.377), e(2, 449, 0.877),
  e(4, 378, 1.4766), e(4, 490, 1.9141), e(4, 616, 2.4063),
  e(6, 466, 2.7305), e(6, 567, 3.3223), e(6, 666, 3.9023), e(6, 772, 4.5234), e(6, 873, 5.1152),
  e(8, 711, 5.5547), e(8, 797, 6.2266), e(8, 885, 6.9141), e(8, 948, 7.4063),
];

/** Efficiencies alone, element 0 = CQI 1. */
export const LTE_CQI_EFFICIENCY: readonly number[] = LTE_CQI_TABLE.map((x) => x.efficiency);
export const NR_CQI_EFFICIENCY: readonly number[] = NR_CQI_TABLE_256QAM.map((x) => x.efficiency);

/** The table a RAT reports in here: NR the 256QAM table, LTE Table 7.2.3-1. */
export function cqiTableFor(rat: 'NR' | 'LTE'): CqiTable {
  return rat === 'NR' ? 'nr256' : 'lte';
}

function rows(table: CqiTable): readonly CqiEntry[] {
  return table === 'nr256' ? NR_CQI_TABLE_256QAM : LTE_CQI_TABLE;
}

/** The entry of CQI 1..15 in a table; null for CQI 0 (out of range). Throws RangeError otherwise. */
export function cqiEntry(cqi: number, table: CqiTable): CqiEntry | null {
  if (!Number.isInteger(cqi) || cqi < 0 || cqi > 15) throw new RangeError(`CQI must be an integer 0..15, got ${cqi}`);
  return cqi === 0 ? null : rows(table)[cqi - 1]!;
}

/** Spectral efficiency (bit/s/Hz) of a CQI index in a table; CQI 0 carries nothing. */
export function cqiToSpectralEfficiency(cqi: number, table: CqiTable = 'lte'): number {
  return cqiEntry(cqi, table)?.efficiency ?? 0;
}
