// Co-channel interference: what the other operators' transmissions on the air put into each
// PRB of a carrier, and the SINR a receiver sees per PRB.
import { carrierLowEdgeMHz, prbWidthKHz } from '../../nr/index.js';
import type { AirTransmission } from '../air.js';
import { dbmToMw, PSD_REFERENCE_KHZ, type Carrier } from './link.js';

/** Another transmitter on the air: what a twin cell publishes (PSD in dBm per 180 kHz). */
export type Interferer = Pick<AirTransmission, 'cellId' | 'operator' | 'on' | 'lowMHz' | 'highMHz' | 'psdDbmPerPrb'>;

/** Interference power (mW) landing in each PRB of a carrier from the given transmitters, before the receiver's loss. */
export function interferencePerPrbMw(c: Carrier, selfCellId: string, selfOperator: string, air: Interferer[]): number[] {
  const n = c.prbTotal;
  const out = new Array<number>(n).fill(0);
  const edge = carrierLowEdgeMHz(c);
  const w = prbWidthKHz(c.scsKHz) / 1000;
  for (const t of air) {
    if (!t.on || t.cellId === selfCellId || t.operator === selfOperator) continue;
    if (!(t.highMHz > t.lowMHz) || !Number.isFinite(t.psdDbmPerPrb)) continue;
    const mwPerMHz = dbmToMw(t.psdDbmPerPrb) / (PSD_REFERENCE_KHZ / 1000);
    const first = Math.max(0, Math.floor((t.lowMHz - edge) / w));
    const last = Math.min(n - 1, Math.ceil((t.highMHz - edge) / w));
    for (let p = first; p <= last; p++) {
      const lo = edge + p * w;
      const overlap = Math.min(lo + w, t.highMHz) - Math.max(lo, t.lowMHz);
      if (overlap > 0) out[p]! += mwPerMHz * overlap;
    }
  }
  return out;
}

/** SINR (dB) per PRB for a received power per PRB, noise per PRB and interference after a loss. */
export function sinrPerPrbDb(signalMwPerPrb: number, noiseMwPerPrb: number, interferenceMw: number[], interferenceLossDb: number): number[] {
  const lossLin = dbmToMw(-interferenceLossDb);
  return interferenceMw.map((i) => 10 * Math.log10(signalMwPerPrb / (noiseMwPerPrb + i * lossLin)));
}

/** Capacity-equivalent wideband SINR: the SINR whose Shannon rate equals the mean rate over the PRBs, dB. */
export function effectiveSinrDb(sinrsDb: number[]): number {
  if (sinrsDb.length === 0) return -Infinity;
  let sum = 0;
  for (const s of sinrsDb) sum += Math.log2(1 + 10 ** (s / 10));
  return 10 * Math.log10(2 ** (sum / sinrsDb.length) - 1);
}
