// The teardown of a rig session, by one deadline that a second Ctrl-C can bring nearer. Order:
// UEs released and cells off (each acknowledged, or named as not confirmed off); GPU sampler
// stopped; the sink's last flush (what the server does not take by its share of the time goes
// to the destination's spool); then the measurement store and the ledger; then every child
// left. Each step gets the time up to its own mark before the deadline, so a hung step (a
// paused influxd or dev chain) cannot eat the time of the steps after it.
import { messageOf } from '../errors.js';
import { childLog } from '../log.js';
import type { StopOutcome } from '../proc/index.js';
import type { RigSession } from './session.js';

const log = childLog('session');

export interface TeardownResult {
  /** Everything teardown could not do, in words (also in report.json). */
  problems: string[];
  /** Cells (by id; `<bs>/*` when the base station's cells were never learnt) not acknowledged off. */
  cellsNotConfirmedOff: string[];
  /** Points not in InfluxDB: waiting in the destination's spool, replayed later. */
  spooledPoints: number;
  /** Points neither written nor spooled (only when the spool itself failed). */
  lostPoints: number;
  /** Where the spooled points wait. */
  spoolDir: string | null;
  /** Children that could not be confirmed stopped. */
  childrenNotStopped: string[];
  durationMs: number;
}

/** Milliseconds before the deadline by which each step must be done. */
const MARK = { devices: 6000, gpu: 5500, sink: 3000, services: 500 } as const;

class Deadline {
  private wake: (() => void)[] = [];
  constructor(public at: number) {}
  shorten(at: number): void {
    if (at >= this.at) return;
    this.at = at;
    for (const w of this.wake.splice(0)) w();
  }
  /** Resolves at (deadline - mark), following a shortened deadline. */
  until(mark: number): Promise<void> {
    return new Promise((resolve) => {
      let t: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(t);
        t = setTimeout(resolve, Math.max(0, this.at - mark - Date.now()));
      };
      this.wake.push(arm);
      arm();
    });
  }
  /** p, or 'late' at (deadline - mark). */
  async within<T>(p: Promise<T>, mark: number): Promise<T | 'late'> {
    return Promise.race([p, this.until(mark).then(() => 'late' as const)]);
  }
}

export function runTeardown(s: RigSession, deadlineAt: number): { result: Promise<TeardownResult>; shorten: (at: number) => void } {
  const deadline = new Deadline(deadlineAt);
  const started = Date.now();
  // Never throws: an unexpected error is one more problem, and the report is still written.
  const result = teardown(s, deadline).catch(
    (err: unknown): TeardownResult => ({
      problems: [`teardown failed: ${messageOf(err)}`],
      cellsNotConfirmedOff: [],
      spooledPoints: s.sink?.stats().spooled ?? 0,
      lostPoints: 0,
      spoolDir: s.sink?.spoolDir ?? null,
      childrenNotStopped: [],
      durationMs: Date.now() - started,
    }),
  );
  return { result, shorten: (at) => deadline.shorten(at) };
}

async function teardown(s: RigSession, d: Deadline): Promise<TeardownResult> {
  const started = Date.now();
  const problems: string[] = [];
  const cellsNotConfirmedOff: string[] = [];
  const r: TeardownResult = { problems, cellsNotConfirmedOff, spooledPoints: 0, lostPoints: 0, spoolDir: null, childrenNotStopped: [], durationMs: 0 };

  // 1. UEs and base stations (cells off: the radios' safe state).
  const ues = Promise.all(
    [...s.ues.values()].map(async (ue) => {
      ue.stopReadings();
      await ue.close().catch((err: unknown) => problems.push(`${ue.id}: ${messageOf(err)}`));
    }),
  );
  const cells = Promise.all(
    [...s.basestations.values()].map(async (bs) => {
      const outcome = await d.within(bs.driver.shutdown(), MARK.devices);
      const unconfirmed =
        outcome === 'late'
          ? bs.setup.cells.map((c) => ({ cellId: c.id, reason: 'no acknowledgement before the teardown deadline' }))
          : outcome.notConfirmedOff;
      for (const c of unconfirmed) {
        cellsNotConfirmedOff.push(c.cellId);
        problems.push(`${bs.rig.id}: cell ${c.cellId} not confirmed off (${c.reason})`);
      }
      bs.driver.close();
    }),
  );
  if ((await d.within(Promise.all([ues, cells]), MARK.devices)) === 'late') problems.push('UEs: not all released by their share of the teardown deadline');

  // 2. GPU sampler.
  if (s.gpu) {
    const g = await d.within(s.gpu.stop().catch((err: unknown) => problems.push(`gpu sampler: ${messageOf(err)}`)), MARK.gpu);
    if (g === 'late') problems.push('gpu sampler: did not stop in time');
  }

  // 3. The last flush, before the store is stopped.
  if (s.sink) {
    const c = await s.sink.closeBy(Math.max(Date.now(), d.at - MARK.sink), d.until(MARK.sink));
    r.spooledPoints = c.spooled;
    r.lostPoints = c.lost;
    r.spoolDir = c.spoolDir;
    if (c.spooled > 0)
      problems.push(`influx: ${c.spooled} points not written to ${s.sink.url} (${c.error ?? 'server did not take them'}); kept in ${c.spoolDir}, replayed by the next trial writing there or by \`ranlab spool replay\``);
    else if (c.error) problems.push(`influx: ${c.error}`);
    if (c.lost > 0) problems.push(`influx: ${c.lost} points lost (neither written nor spooled)`);
  }

  // 4. The measurement store and the ledger, then every child left (agents, modems, chain).
  const stops: Promise<StopOutcome | void>[] = [];
  if (s.influx) stops.push(s.influx.stopBy(d.at - MARK.services));
  if (s.ledger) {
    stops.push(
      d.within(s.ledger.close(), MARK.services).then(
        (v) => {
          // Its chain (embedded) is then stopped with the other children, and reported if it stays.
          if (v === 'late') log.warn('ledger client did not close by its share of the teardown deadline');
        },
        (err: unknown) => {
          problems.push(`ledger: ${messageOf(err)}`);
        },
      ),
    );
  }
  await Promise.all(stops);
  const outcomes = await s.supervisor.stopAll({ deadline: d.at });
  if (s.influx) outcomes.push(await s.influx.stopBy(d.at));
  for (const o of outcomes) {
    if (!o.confirmed && !r.childrenNotStopped.includes(o.name)) {
      r.childrenNotStopped.push(o.name);
      problems.push(`${o.name}: ${o.detail}`);
    } else if (o.forced) log.warn({ child: o.name }, 'stopped with SIGKILL at the teardown deadline');
  }
  r.durationMs = Date.now() - started;
  return r;
}
