// The figures a spectrum-sharing report gives: Jain's fairness index and convergence to W/n.

/** Jain's index (Σx)² / (n·Σx²): 1 when all equal, 1/n when one takes everything. */
export function jain(xs: number[]): number {
  const n = xs.length;
  const s = xs.reduce((a, b) => a + b, 0);
  const s2 = xs.reduce((a, b) => a + b * b, 0);
  return s2 === 0 ? 1 : (s * s) / (n * s2);
}

/** The epochs of the last quarter (at least one). */
export function lastQuarterStart(epochs: number): number {
  return epochs - Math.max(1, Math.ceil(epochs / 4));
}

/**
 * The first epoch from which every operator's grant stays within tolerance of W/n until the
 * end, or null if never. grantsByEpoch[e][k] is operator k's grant in epoch e.
 */
export function convergedAtEpoch(grantsByEpoch: number[][], fairShare: number, tolerance = 0.02): number | null {
  let from: number | null = null;
  for (let e = grantsByEpoch.length - 1; e >= 0; e--) {
    const ok = grantsByEpoch[e]!.every((g) => Math.abs(g - fairShare) <= tolerance * fairShare);
    if (!ok) break;
    from = e;
  }
  return from;
}
