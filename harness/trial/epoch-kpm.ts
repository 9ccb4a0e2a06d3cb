// KPM indications of a spectrum trial, assigned to epochs by their collection timestamps (not
// by when they arrive): epoch k's window is [t0 + (k-1)·E, t0 + k·E). Every indication goes to
// InfluxDB as it arrives (tagged with its epoch when it falls in one); those of a window are
// kept, with their points, for the epoch's settlement and its digest.
import { ComponentError } from '../errors.js';
import type { Point } from '../measure/index.js';
import type { KpmIndication, KpmSubscription } from '../ran/index.js';
import { kpmPoints } from './epoch-points.js';
import type { RigSession } from './session.js';

export interface WindowKpm {
  inds: KpmIndication[];
  /** Each operator's KPM points of the window, exactly as written: what its settlement's digest covers. */
  points: Map<string, Point[]>;
}

export class KpmWindows {
  private t0: bigint | null = null;
  private readonly windows = new Map<number, WindowKpm>();
  /** Per cell (`node/cell`): the end of the latest period received, ns (0: none yet). */
  private readonly coveredTo = new Map<string, bigint>();
  /** Cells that missed a window's end: not waited for again until they report. */
  private readonly silent = new Set<string>();
  private waiters: (() => void)[] = [];
  /** Epochs up to this one are settled: their late indications go to InfluxDB only. */
  private closedThrough = 0;
  private readonly subs: KpmSubscription[];
  private readonly epochNs: bigint;

  constructor(
    private readonly session: RigSession,
    private readonly operators: string[],
    epochMs: number,
    private readonly epochs: number,
    kpmPeriodMs: number,
  ) {
    this.epochNs = BigInt(epochMs) * 1_000_000n;
    for (const bs of session.basestations.values()) for (const c of bs.setup.cells) this.coveredTo.set(`${bs.setup.nodeId}/${c.id}`, 0n);
    this.subs = [...session.basestations.values()].map((bs) =>
      bs.driver.subscribe(
        kpmPeriodMs,
        (ind) => this.onIndication(bs.rig.operator, bs.rig.id, ind),
        (err) => session.fail(err instanceof ComponentError ? err : new ComponentError(bs.rig.id, err.message, 'KPM_STREAM_BROKEN')),
      ),
    );
  }

  /** Fix the first window's start; indications from then on are assigned to epochs. */
  start(t0: bigint): void {
    this.t0 = t0;
  }

  windowStart(epoch: number): bigint {
    return this.t0! + BigInt(epoch - 1) * this.epochNs;
  }

  /** The epoch whose window holds `tNs` (1-based; null outside the trial's windows). */
  epochOf(tNs: bigint): number | null {
    if (this.t0 === null || tNs < this.t0) return null;
    const k = Number((tNs - this.t0) / this.epochNs) + 1;
    return k <= this.epochs ? k : null;
  }

  private onIndication(operator: string, bsId: string, ind: KpmIndication): void {
    const epoch = this.epochOf(ind.timestampNs);
    const points = kpmPoints(ind, { ...this.session.baseTags(), operator, bs: bsId, ...(epoch ? { epoch: String(epoch) } : {}) });
    if (epoch && epoch > this.closedThrough) {
      const w = this.window(epoch);
      w.inds.push(ind);
      w.points.get(operator)?.push(...points);
    }
    this.session.write(points);
    const key = `${ind.nodeId}/${ind.cellId}`;
    const end = ind.timestampNs + BigInt(ind.periodMs) * 1_000_000n;
    if (end > (this.coveredTo.get(key) ?? 0n)) this.coveredTo.set(key, end);
    this.silent.delete(key);
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  private window(epoch: number): WindowKpm {
    let w = this.windows.get(epoch);
    if (!w) {
      w = { inds: [], points: new Map(this.operators.map((op) => [op, []])) };
      this.windows.set(epoch, w);
    }
    return w;
  }

  /**
   * The window's indications once every cell has sent the period reaching the window's end,
   * or after `timeoutMs` with what came (`missing` names the cells still short; they are not
   * waited for again until they report).
   */
  async complete(epoch: number, timeoutMs: number): Promise<WindowKpm & { missing: string[] }> {
    const end = this.windowStart(epoch + 1);
    const short = () => [...this.coveredTo].filter(([k, to]) => to < end && !this.silent.has(k)).map(([k]) => k);
    const deadline = performance.now() + timeoutMs;
    while (short().length > 0 && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - performance.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const missing = short();
    for (const k of missing) this.silent.add(k);
    const w = this.window(epoch);
    this.windows.delete(epoch);
    this.closedThrough = Math.max(this.closedThrough, epoch);
    return { ...w, missing };
  }

  close(): void {
    for (const s of this.subs) s.close();
  }
}
