// A twin cell's switchable state (on/off and PRB quota) with its one previous value and when
// the change took effect, so a KPM period sampled after a later control still sees what was
// in effect at its sample time (grants for the next epoch arrive just before its window).
export interface CellState {
  on: boolean;
  quota: { startPrb: number; nPrb: number } | null;
}

export class CellHistory {
  private before: CellState | null = null;
  /** When `now` took effect, ns (the node's clock). */
  sinceNs = 0n;
  now: CellState = { on: false, quota: null };

  /** Apply a change at `atNs`; the state before it is kept for samples of earlier moments. */
  set(change: Partial<CellState>, atNs: bigint): void {
    this.before = { ...this.now };
    this.now = { ...this.now, ...change };
    this.sinceNs = atNs;
  }

  /** The state in effect at `atNs`. */
  at(atNs: bigint): CellState {
    return this.before && atNs < this.sinceNs ? this.before : this.now;
  }

  /** What was in effect before the last change (null before the first one). */
  previous(): CellState | null {
    return this.before;
  }
}
