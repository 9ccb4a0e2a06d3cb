// What a carrier-and-ratio base station (srsRAN Project) is told for a segment of the band:
// the largest standard channel bandwidth of its band and numerology that fits inside the
// segment, centred on the channel raster, and the share of that carrier's PRBs (a max PRB
// ratio) that the operator's use of its grant covers. Changing the carrier is a restart.
import { nrBandwidths, nrRasterStepMHz, prbCount } from '../nr/index.js';
import type { Segment } from './spectrum.js';

export interface CarrierGrant {
  carrierMHz: number;
  bandwidthMHz: number;
  prbTotal: number;
  /** max_prb_policy_ratio, percent. */
  maxRatioPct: number;
  /** The PRBs that ratio lets the scheduler use. */
  nPrb: number;
}

const EPS = 1e-9;

/** The largest carrier inside `seg`, or null when not even the smallest one fits (the cell goes off). */
export function carrierForSegment(cell: { band: string; scsKHz: number }, seg: Segment, usedMHz: number): CarrierGrant | null {
  const width = seg.highMHz - seg.lowMHz;
  const mid = (seg.lowMHz + seg.highMHz) / 2;
  for (const bw of [...nrBandwidths(cell.band, cell.scsKHz)].reverse()) {
    if (bw > width + EPS) continue;
    const step = nrRasterStepMHz(cell.band, mid, cell.scsKHz);
    for (const c of [Math.floor(mid / step) * step, Math.ceil(mid / step) * step]) {
      const centre = Number(c.toFixed(6));
      if (centre - bw / 2 < seg.lowMHz - EPS || centre + bw / 2 > seg.highMHz + EPS) continue;
      const prbTotal = prbCount('NR', bw, cell.scsKHz);
      const maxRatioPct = Math.max(0, Math.min(100, Math.floor((100 * usedMHz) / bw + EPS)));
      return { carrierMHz: centre, bandwidthMHz: bw, prbTotal, maxRatioPct, nPrb: Math.floor((prbTotal * maxRatioPct) / 100) };
    }
  }
  return null;
}

/** The smallest channel bandwidth the band and numerology allow, MHz (undefined when unknown). */
export function smallestCarrierMHz(band: string, scsKHz: number): number | undefined {
  return nrBandwidths(band, scsKHz)[0];
}
