// Stable identities derived from the UE id: IMEI, IMSI, cell ids, the data session's address.

/** FNV-1a: a stable 32-bit number from a string. */
export function hash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** The Luhn check digit of a digit string (IMEI, TS 23.003). */
export function luhn(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function deriveImei(ueId: string): string {
  const body = `359999${String(hash(ueId) % 100_000_000).padStart(8, '0')}`;
  return body + luhn(body);
}

export function deriveImsi(ueId: string, mcc: string, mnc: string): string {
  const msinLen = 15 - mcc.length - mnc.length;
  return `${mcc}${mnc}${String(hash(`imsi:${ueId}`)).padStart(msinLen, '0').slice(-msinLen)}`;
}

/** Unquoted hex cell identity: 28-bit LTE ECI, or 36-bit NR NCI (at most 9 hex digits). */
export function cellIdHex(cellId: string, rat: 'NR' | 'LTE', pci: number): string {
  const h = hash(cellId);
  return rat === 'NR' ? ((h * 16 + (pci & 0xf)) >>> 0).toString(16).toUpperCase() : (h & 0xfffffff).toString(16).toUpperCase();
}

export function deriveAddress(ueId: string, cid: number): string {
  const h = hash(ueId);
  return `10.45.${(h % 250) + 1}.${((h >>> 8) % 200) + 2 + cid - 1}`;
}
