// The stand-in's downlink buffers: what each UE is offered against what its grant carries.
// The twin's radio model gives each UE's rate under saturated demand (its round-robin share of
// the slice quota's PRBs); a UE with an offered load (`dlDemandKbps` in twin.json; none means
// saturated, as a trial's `demand: saturated`) gets min(offered, that rate). What it cannot
// carry waits in its buffer, and that buffer after the scheduler ran is what a 25.10 UE report
// gives as `dl_bs` (bytes, facts/RAN.md §1.2): backlogged while demand exceeds the grant,
// empty once the grant carries all of it.
//
// PRB use: with any UE backlogged the scheduler fills the quota (the spare PRBs go to the
// backlogged UEs); with none, it uses only what the offered load needs, each UE's share of the
// quota scaled by offered / carried-at-saturation. An approximation, stated here.
import type { CellRadio } from '../radio.js';

/** A bounded RLC queue per UE (the stand-in's bound, not a value from srsRAN). */
export const MAX_BUFFER_BYTES = 1_000_000;

export interface UeLoad {
  /** What the grant carried this period, kbit/s (the UE's dl_brate and its modem's rate). */
  carriedKbps: number;
  /** Bytes left in its downlink buffer after scheduling (dl_bs). */
  bufferBytes: number;
}

export class DownlinkQueues {
  private readonly buffers: number[];

  /** `demandKbps[i]`: UE i's offered downlink load, kbit/s; undefined: saturated. */
  constructor(private readonly demandKbps: (number | undefined)[]) {
    this.buffers = demandKbps.map(() => 0);
  }

  /** One report period: the carried rates, the buffers left, and the PRBs the scheduler used. */
  step(r: CellRadio, periodMs: number): { ues: UeLoad[]; prbUsedDl: number } {
    if (!r.on) {
      this.buffers.fill(0);
      return { ues: r.ues.map(() => ({ carriedKbps: 0, bufferBytes: 0 })), prbUsedDl: 0 };
    }
    let needed = 0;
    const ues = r.ues.map((u, i): UeLoad => {
      const demand = this.demandKbps[i];
      const capacity = u.thpDlKbps;
      if (demand === undefined) {
        this.buffers[i] = MAX_BUFFER_BYTES;
        needed += 1;
        return { carriedKbps: capacity, bufferBytes: this.buffers[i]! };
      }
      // kbit/s over periodMs ms is bits; / 8 bytes.
      const offeredBytes = (demand * periodMs) / 8 + this.buffers[i]!;
      const capacityBytes = (capacity * periodMs) / 8;
      const sentBytes = Math.min(offeredBytes, capacityBytes);
      this.buffers[i] = Math.min(MAX_BUFFER_BYTES, Math.round(offeredBytes - sentBytes));
      needed += capacityBytes > 0 ? sentBytes / capacityBytes : 0;
      return { carriedKbps: (sentBytes * 8) / periodMs, bufferBytes: this.buffers[i]! };
    });
    const backlogged = ues.some((u) => u.bufferBytes > 0);
    const k = r.ues.length;
    const prbUsedDl = backlogged || k === 0 ? r.prbUsedDl : Math.min(r.prbUsedDl, Math.ceil((r.prbUsedDl * needed) / k));
    return { ues, prbUsedDl };
  }
}
