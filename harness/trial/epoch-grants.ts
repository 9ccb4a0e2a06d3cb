// One epoch's grants: each operator's demand by its strategy, the decision (the ledger's
// contract: requests, then decide; or a baseline policy), and applying it to every cell over
// E2 RC control (a PRB range; or a standard carrier, by restart, and a PRB ratio).
import type { BaseStation, CellInfo } from '../ran/index.js';
import { carrierForSegment, contiguousSegments, equalGrants, quotaForCell, randomSegments, type Segment } from '../plan/index.js';
import { bandUnits, type Rig } from '../rig/index.js';
import type { Ledger } from '../ledger/index.js';
import { demandOf, useOf } from './strategies.js';
import type { RigSession } from './session.js';
import type { SpectrumTrialOptions } from './spectrum-types.js';

export interface Decision {
  epoch: number;
  /** The contract's epoch number (0 without a ledger). */
  chainEpoch: bigint;
  demand: Map<string, number>;
  segOf: Map<string, Segment>;
  /** Units of its grant each operator transmits on. */
  use: Map<string, number>;
  /** Lock-outs the decision set: the operator's last epoch without a grant, as a trial epoch. */
  lockOuts: Map<string, number>;
}

export interface DecideContext {
  rig: Rig;
  opts: SpectrumTrialOptions;
  ledger: Ledger | null;
  rand: () => number;
  bursts: Map<string, () => boolean>;
}

/** Demand by strategy (against the balances known now), then the ledger's or the baseline's grants. */
export async function decideEpoch(session: RigSession, c: DecideContext, epoch: number, chainEpoch: bigint, balances: Map<string, bigint> | undefined): Promise<Decision> {
  const { rig, ledger } = c;
  const operators = rig.operators.map((o) => o.name);
  const W = bandUnits(rig.spectrum);
  const unitMHz = rig.spectrum.tokenUnitKHz / 1000;
  const mean = balances ? [...balances.values()].reduce((a, b) => a + b, 0n) / BigInt(operators.length) : undefined;
  const demand = new Map(
    rig.operators.map((o) => [o.name, demandOf(o.strategy, { bandUnits: W, operators: operators.length, balanceMicro: balances?.get(o.name), meanBalanceMicro: mean, on: c.bursts.get(o.name)!() })]),
  );
  let segments: Segment[];
  const lockOuts = new Map<string, number>();
  if (ledger) {
    await session.race(ledger.requestAll(chainEpoch, demand));
    const grants = await session.race(ledger.decide(chainEpoch));
    for (const [op, g] of grants) if (g.lockedOutUntil !== undefined) lockOuts.set(op, epoch + g.lockedOutUntil - Number(chainEpoch));
    segments = operators.map((op) => segmentOf(rig.spectrum.lowEdgeMHz, unitMHz, op, grants.get(op)!.startUnit, grants.get(op)!.units));
  } else if (c.opts.policy === 'equal') segments = contiguousSegments(rig.spectrum, equalGrants(rig.spectrum, operators));
  else segments = randomSegments(rig.spectrum, operators, c.rand);
  const segOf = new Map(segments.map((s) => [s.operator, s]));
  const use = new Map(rig.operators.map((o) => [o.name, useOf(o.strategy, segOf.get(o.name)!.units, demand.get(o.name)!)]));
  return { epoch, chainEpoch, demand, segOf, use, lockOuts };
}

/** The PRB range each prb-range cell was last given (acknowledged): an unchanged grant is not sent again. */
const lastQuota = new WeakMap<CellInfo, string>();

export interface Applied {
  /** Per operator, for drivers whose grants take effect by retune: first control to last ack. */
  effect: Map<string, { ms: number; retuned: boolean; offAir: boolean }>;
  /** When the last control took effect (the agents' clocks), ns. */
  lastEffectiveNs: bigint;
  /** Each cell's PRBs in effect for the epoch (`bs/cell`): a later retune must not change what this epoch settles. */
  prbTotal: Map<string, number>;
}

/**
 * Every cell gets what its driver can apply of the part of its operator's segment it uses
 * (a prb-range cell already on with the same range is left as it is); for carrier-and-ratio
 * cells the time from the first control to the last ack is kept.
 */
export async function applyGrants(session: RigSession, d: Decision): Promise<Applied> {
  const unitMHz = session.rig.spectrum.tokenUnitKHz / 1000;
  const effect = new Map<string, { ms: number; retuned: boolean; offAir: boolean }>();
  let lastEffectiveNs = 0n;
  const seen = (ns: bigint) => {
    if (ns > lastEffectiveNs) lastEffectiveNs = ns;
  };
  const prbTotal = new Map<string, number>();
  await session.race(
    Promise.all(
      [...session.basestations.values()].flatMap((bs) =>
        bs.setup.cells.map(async (cell) => {
          const rigCell = bs.rig.cells.find((c) => c.id === cell.id)!;
          const seg = d.segOf.get(bs.rig.operator)!;
          const used = { ...seg, highMHz: seg.lowMHz + d.use.get(bs.rig.operator)! * unitMHz };
          const t0 = performance.now();
          let retuned = false;
          let offAir = false;
          if (cell.grants === 'carrier-and-ratio') ({ retuned, offAir } = await applyCarrierGrant(bs.driver, cell, seg, used.highMHz - used.lowMHz, seen));
          else {
            const q = quotaForCell({ ...rigCell, prbTotal: cell.prbTotal }, used);
            // A cell already on with this very range keeps it (the drift watch still checks it every period).
            const key = `${q.startPrb}+${q.nPrb}`;
            if (cell.on && lastQuota.get(cell) === key) return void prbTotal.set(`${bs.rig.id}/${cell.id}`, cell.prbTotal);
            lastQuota.delete(cell);
            seen((await bs.driver.control({ kind: 'prbQuota', cellId: cell.id, startPrb: q.startPrb, nPrb: q.nPrb })).effectiveNs);
            lastQuota.set(cell, key);
            if (!cell.on) {
              seen((await bs.driver.control({ kind: 'cellState', cellId: cell.id, on: true })).effectiveNs);
              cell.on = true;
            }
          }
          prbTotal.set(`${bs.rig.id}/${cell.id}`, cell.prbTotal);
          // Time to effect is a figure of drivers whose grants take effect by retune (srsRAN).
          if (cell.grants !== 'carrier-and-ratio') return;
          const prev = effect.get(bs.rig.operator);
          const ms = performance.now() - t0;
          effect.set(bs.rig.operator, { ms: Math.max(prev?.ms ?? 0, ms), retuned: retuned || !!prev?.retuned, offAir: offAir || !!prev?.offAir });
        }),
      ),
    ),
  );
  return { effect, lastEffectiveNs, prbTotal };
}

/**
 * A carrier-and-ratio cell (srsRAN): the largest standard carrier inside the segment (a new
 * one is a retune: the agent restarts the gNB and acknowledges once the cell is up), then the
 * PRB ratio the operator's use covers (acknowledged once the gNB's metrics confirm it). A
 * segment too small for any carrier turns the cell off.
 */
async function applyCarrierGrant(driver: BaseStation, cell: CellInfo, seg: Segment, usedMHz: number, seen: (ns: bigint) => void): Promise<{ retuned: boolean; offAir: boolean }> {
  const g = carrierForSegment(cell, seg, usedMHz);
  if (!g || g.nPrb === 0) {
    if (cell.on) seen((await driver.control({ kind: 'cellState', cellId: cell.id, on: false })).effectiveNs);
    cell.on = false;
    return { retuned: false, offAir: true };
  }
  let retuned = false;
  if (g.carrierMHz !== cell.carrierMHz || g.bandwidthMHz !== cell.bandwidthMHz) {
    seen((await driver.control({ kind: 'carrier', cellId: cell.id, carrierMHz: g.carrierMHz, bandwidthMHz: g.bandwidthMHz })).effectiveNs);
    retuned = cell.on;
    Object.assign(cell, { carrierMHz: g.carrierMHz, bandwidthMHz: g.bandwidthMHz, prbTotal: g.prbTotal });
  }
  // Off: the ratio goes into the gNB's configuration before it starts.
  seen((await driver.control({ kind: 'prbRatio', cellId: cell.id, maxRatioPct: g.maxRatioPct, nPrb: g.nPrb })).effectiveNs);
  if (!cell.on) {
    seen((await driver.control({ kind: 'cellState', cellId: cell.id, on: true })).effectiveNs);
    cell.on = true;
  }
  return { retuned, offAir: false };
}

function segmentOf(lowEdgeMHz: number, unitMHz: number, operator: string, startUnit: number, units: number): Segment {
  return { operator, units, lowMHz: lowEdgeMHz + startUnit * unitMHz, highMHz: lowEdgeMHz + (startUnit + units) * unitMHz };
}
