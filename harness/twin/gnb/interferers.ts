// What a twin node reads off the air: the other cells' transmissions that are well formed and
// fresh, each as it was at the moment sampled (its state before its last change, when the
// sample is older than that change; see cell-state.ts).
import type { AirTransmission } from '../air.js';
import type { Interferer } from '../radio.js';

export function isInterferer(t: unknown): t is AirTransmission {
  const x = t as Partial<AirTransmission> | null;
  return (
    !!x &&
    typeof x.cellId === 'string' &&
    typeof x.operator === 'string' &&
    typeof x.on === 'boolean' &&
    Number.isFinite(x.lowMHz) &&
    Number.isFinite(x.highMHz) &&
    Number.isFinite(x.psdDbmPerPrb) &&
    typeof x.updatedNs === 'string' &&
    /^\d{1,20}$/.test(x.updatedNs) &&
    (x.sinceNs === undefined || (typeof x.sinceNs === 'string' && /^\d{1,20}$/.test(x.sinceNs))) &&
    (x.before === undefined ||
      (!!x.before && typeof x.before.on === 'boolean' && Number.isFinite(x.before.lowMHz) && Number.isFinite(x.before.highMHz)))
  );
}

/** A transmission as it was at `atNs`: its `before` state if the sample is older than the change. */
export function transmissionAt(t: AirTransmission, atNs: bigint): AirTransmission {
  if (!t.before || t.sinceNs === undefined || atNs >= BigInt(t.sinceNs)) return t;
  return { ...t, on: t.before.on, lowMHz: t.before.lowMHz, highMHz: t.before.highMHz };
}

/** The transmissions of cells that are not `own`, well formed, refreshed within `staleMs` of `atNs`, as they were at `atNs`. */
export function interferersAt(all: unknown[], own: (cellId: string) => boolean, atNs: bigint, staleMs: number): Interferer[] {
  const freshAfter = atNs - BigInt(staleMs) * 1_000_000n;
  return all.filter((t): t is AirTransmission => isInterferer(t) && !own(t.cellId) && BigInt(t.updatedNs) >= freshAfter).map((t) => transmissionAt(t, atNs));
}
