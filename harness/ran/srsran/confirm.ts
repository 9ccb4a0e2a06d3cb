// A PRB ratio quota is confirmed from the scheduler's metrics, never from the gNB's reply (it
// answers success even when no slice matched, facts/RAN.md §5), and only from reports where
// the cell is saturated: PRB use at or under the quota proves the quota only when the UEs
// wanted more. Saturation, from what a 25.10 (and 25.04) UE report carries:
// - a UE is loaded when the scheduler gave it downlink data (dl_brate > 0);
// - a loaded UE is backlogged when its downlink buffer still held bytes after the scheduler
//   ran (dl_bs > 0): it had more to send than it was given;
// - a report is saturated when at least one loaded UE is backlogged: the scheduler left data
//   waiting, so it gave out every PRB it was allowed (spare PRBs go to a UE with data), and
//   PRB use at or under the quota is the quota's doing. A light UE beside it changes nothing.
// A cell that never saturates within the timeout gets no acknowledgement: the control fails
// with "not confirmed: no saturating traffic" naming the cell, so the lab engineer knows the
// quota is unproven (not wrong) and that the fix is traffic (iperf3 through the UEs), not the gNB.
import type { CellSample } from './frames.js';

export type Saturation = 'saturated' | 'unsaturated' | 'idle' | 'no-buffer';

export function saturationOf(c: CellSample): Saturation {
  const loaded = c.ues.filter((u) => u.dlKbps > 0);
  if (!loaded.length) return 'idle';
  if (loaded.some((u) => (u.dlBufferBytes ?? 0) > 0)) return 'saturated';
  return loaded.some((u) => u.dlBufferBytes === undefined) ? 'no-buffer' : 'unsaturated';
}

/** What the reports seen while waiting showed, for the reason a quota was not confirmed. */
export class ConfirmWatch {
  carriesPrb = false;
  saturatedPrb: number | undefined;
  unsaturatedPrb: number | undefined;
  readonly seen = new Set<Saturation>();

  /** True when this report confirms a quota of `limitPrb` PRBs (slack included). */
  confirms(c: CellSample, limitPrb: number): boolean {
    if (c.prbUsedDl === undefined) return false;
    this.carriesPrb = true;
    const s = saturationOf(c);
    this.seen.add(s);
    if (s !== 'saturated') {
      if (s === 'unsaturated') this.unsaturatedPrb = c.prbUsedDl;
      return false;
    }
    this.saturatedPrb = c.prbUsedDl;
    return c.prbUsedDl <= limitPrb;
  }

  /** Why nothing confirmed the quota (`quota` PRBs, `pct` % of `total`). */
  why(quota: number, pct: number, total: number): string {
    if (!this.carriesPrb) return 'its metrics carry no PRB use (srsRAN reports it per TDD slot only, pdsch_prbs_used_per_tdd_slot_idx: none on an FDD band), so the quota cannot be confirmed';
    if (this.saturatedPrb !== undefined) return `the scheduler still used ${this.saturatedPrb} PRBs while its UEs were backlogged, above the ${quota} PRBs of ${pct} % of ${total}`;
    const unsat = this.unsaturatedPrb !== undefined ? `, using ${this.unsaturatedPrb} PRBs` : '';
    if (this.seen.has('unsaturated'))
      return `no saturating traffic: in every report its loaded UEs had emptied their downlink buffers (dl_bs 0)${unsat}, so PRB use under the quota shows a lack of demand, not the quota (load the cell's UEs beyond ${quota} PRBs)`;
    if (this.seen.has('no-buffer')) return 'no saturating traffic could be told: its UE reports carry no dl_bs (downlink buffer)';
    return 'no saturating traffic: no UE had downlink data (dl_brate 0 in every report)';
  }
}
