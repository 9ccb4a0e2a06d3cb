// Noticing a cell changed behind the controller's back. The controller knows what it told
// each cell (its PRB quota, on or off) and when the agent says that took effect; every KPM
// period that starts after that must report the PRBs available the controller set (0 when
// the cell is off). Anything else means someone else controls the cell: the trial fails, or
// the controller restores the cell, as the rig says (trial.onCellStateChange).
import type { ControlAction, KpmIndication } from './types.js';

export type OnCellStateChange = 'fail' | 'restore';

interface Applied {
  on: boolean;
  quota: { startPrb: number; nPrb: number } | null;
  /** The quota has been set by this controller: before that, PRBs available are not known. */
  known: boolean;
  /** When the last change took effect, ns (the agent's clock, like indication timestamps). */
  sinceNs: bigint;
  /** Control requests in flight: while any is, the cell is changing on our behalf. */
  pending: number;
  /** Set when the quota is a ratio (carrier-and-ratio cells): restored as a ratio. */
  ratioPct?: number;
}

export class CellStateWatch {
  private readonly cells = new Map<string, Applied>();

  constructor(cells: readonly { id: string; on: boolean }[]) {
    for (const c of cells) this.cells.set(c.id, { on: c.on, quota: null, known: false, sinceNs: 0n, pending: 0 });
  }

  begin(cellId: string): void {
    const c = this.cells.get(cellId);
    if (c) c.pending++;
  }

  /** A control request ended: applied at `effectiveNs`, or failed (null: state unknown until the next quota). */
  end(action: ControlAction, effectiveNs: bigint | null): void {
    const c = this.cells.get(action.cellId);
    if (!c) return;
    c.pending = Math.max(0, c.pending - 1);
    if (effectiveNs === null) {
      c.known = false;
      return;
    }
    if (action.kind === 'prbQuota' || action.kind === 'prbRatio') {
      const start = action.kind === 'prbQuota' ? action.startPrb : 0;
      c.quota = action.nPrb > 0 ? { startPrb: start, nPrb: action.nPrb } : null;
      c.ratioPct = action.kind === 'prbRatio' ? action.maxRatioPct : undefined;
      c.known = true;
    } else if (action.kind === 'carrier') {
      // A new carrier: PRBs available are not known again until the next quota.
      c.known = false;
    } else c.on = action.on;
    if (effectiveNs > c.sinceNs) c.sinceNs = effectiveNs;
  }

  /** A description of how the indication contradicts what the controller set, or null. */
  check(ind: KpmIndication): string | null {
    const c = this.cells.get(ind.cellId);
    if (!c || !c.known || c.pending > 0 || ind.timestampNs < c.sinceNs) return null;
    const expected = c.on && c.quota ? c.quota.nPrb : 0;
    // A backend that applies quotas as ratios (srsRAN) may round by a PRB or a few percent;
    // a cell off, on, or with another quota is well outside that.
    const slack = expected === 0 ? 0 : Math.max(1, Math.ceil(0.05 * expected));
    if (Math.abs(ind.prbAvailDl - expected) <= slack) return null;
    const set = c.on ? (c.quota ? `on with ${c.quota.nPrb} PRBs from PRB ${c.quota.startPrb}` : 'on with no PRBs') : 'off';
    return `cell ${ind.cellId} reports ${ind.prbAvailDl} PRBs available, but the controller set it ${set}`;
  }

  /** The controls that put the cell back as the controller set it. */
  restoreActions(cellId: string): ControlAction[] {
    const c = this.cells.get(cellId);
    if (!c || !c.known) return [];
    const q = c.quota ?? { startPrb: 0, nPrb: 0 };
    const quota: ControlAction =
      c.ratioPct !== undefined ? { kind: 'prbRatio', cellId, maxRatioPct: c.ratioPct, nPrb: q.nPrb } : { kind: 'prbQuota', cellId, startPrb: q.startPrb, nPrb: q.nPrb };
    return c.ratioPct !== undefined ? [{ kind: 'cellState', cellId, on: c.on }, quota] : [quota, { kind: 'cellState', cellId, on: c.on }];
  }
}
