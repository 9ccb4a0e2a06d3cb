// Vendor and 3GPP tables the twin modem prints with, written from the Quectel manuals
// (RG520N/RM5x0N ch. 5, EC2x/EG2x-G) and the fact sheet (../shared/facts/UE-SDR-GPU.md §1).
// The twin's own copy on purpose: it never shares a table with the driver it is tested against.

/** AT+QENG LTE <UL_bandwidth>/<DL_bandwidth>: enum index → MHz. */
export const QENG_LTE_BANDWIDTH_MHZ = [1.4, 3, 5, 10, 15, 20] as const;

/** AT+QENG <NR_DL_bandwidth> (RM520N): enum index → MHz (15 and 16 were added after 14). */
export const QENG_NR_BANDWIDTH_MHZ = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 400, 35, 45] as const;

/** AT+QENG <scs>: enum index → subcarrier spacing in kHz. */
export const QENG_SCS_KHZ = [15, 30, 60, 120, 240] as const;

/** Verbose +CME ERROR texts (TS 27.007 §9.2, as AT+CMEE=2 prints them). */
export const CME_WORDS: Readonly<Record<number, string>> = {
  0: 'phone failure',
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  12: 'SIM PUK required',
  13: 'SIM failure',
  14: 'SIM busy',
  15: 'SIM wrong',
  16: 'incorrect password',
  20: 'memory full',
  21: 'invalid index',
  22: 'not found',
  30: 'no network service',
  31: 'network timeout',
  32: 'network not allowed - emergency calls only',
  107: 'other general problems',
};

/** Unknown values as the modules print them (fact sheet, "Seen in the field"). */
export const SENTINEL = { signal: '-32768', cqi: '255', wide: '65535', absent: '-' } as const;

/**
 * The RM5x0N manual's LTE <SINR>: a raw X with dB = X/5·10 − 20, so X = (dB + 20)/2, printed
 * as an integer over −20…30 dB. (Field transcripts dispute this scale; the twin follows the manual.)
 */
export function lteSinrRaw(db: number): number {
  const clamped = Math.min(30, Math.max(-20, db));
  return Math.round((clamped + 20) / 2);
}

/** The LTE <SINR> field as a model prints it: the RM5x0N raw scale, or whole dB (EC2x/EG2x). */
export function lteSinrField(db: number, scale: 'rm5x0n' | 'db'): number {
  return scale === 'db' ? Math.round(Math.min(30, Math.max(-20, db))) : lteSinrRaw(db);
}

/** The index of the enum entry nearest to v. */
export function nearestEnum(table: readonly number[], v: number): number {
  let best = 0;
  for (let i = 1; i < table.length; i++) if (Math.abs(table[i]! - v) < Math.abs(table[best]! - v)) best = i;
  return best;
}

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** "n46" → 46, "B7" → 7. */
export function bandNumber(band: string): number {
  const m = /(\d+)$/.exec(band);
  return m ? Number(m[1]) : 0;
}
