// Closing an epoch: its window's KPM turned into each operator's measured use and
// throughput, settled on the ledger (never above the grant; each operator signs its own,
// with the digest of its measurements), the UE market's payments, and the epoch's record.
import { microToTokens, type Ledger } from '../ledger/index.js';
import type { KpmIndication } from '../ran/index.js';
import { usedUnits } from '../plan/index.js';
import { jain } from './fairness.js';
import { measurementsDigest } from './digest.js';
import { payForEpoch } from './uemarket.js';
import type { Applied, Decision } from './epoch-grants.js';
import type { WindowKpm } from './epoch-kpm.js';
import type { RigSession } from './session.js';
import type { EpochRecord, OperatorEpoch } from './spectrum-types.js';

export interface Settled {
  record: EpochRecord;
  /** Balances after the epoch's settlements (ledger policy only). */
  balances: Map<string, bigint> | undefined;
}

export async function settleEpoch(
  session: RigSession,
  ledger: Ledger | null,
  d: Decision,
  applied: Applied,
  kpm: WindowKpm,
  window: { startNs: bigint; overrunMs?: number; epochMs: number },
  balancesBefore: Map<string, bigint> | undefined,
): Promise<Settled> {
  const { rig } = session;
  const operators = rig.operators.map((o) => o.name);
  const unitMHz = rig.spectrum.tokenUnitKHz / 1000;
  const measured = operators.map((op) => measure(session, kpm.inds, op, rig.spectrum.tokenUnitKHz, d.segOf.get(op)!.units, applied.prbTotal));
  let costs: bigint[] = operators.map(() => 0n);
  let balances = balancesBefore;
  if (ledger) {
    const settled = await session.race(
      Promise.all(measured.map((x, i) => ledger.settle(d.chainEpoch, operators[i]!, x.usedUnits, measurementsDigest(kpm.points.get(operators[i]!)!)))),
    );
    costs = settled.map((x) => x.spentMicro + x.holdingMicro);
    balances = await session.race(ledger.balances());
  }
  // The UE market: each UE pays its winner for the downlink it received this epoch.
  if (session.ueMarket) {
    await session.race(payForEpoch(session.ledger, session.ueMarket, kpm.inds, d.epoch, window.epochMs));
    if (balances) balances = await session.race(ledger!.balances());
  }
  const effect = applied.effect;
  const rows: OperatorEpoch[] = rig.operators.map((o, i) => {
    const op = o.name;
    return {
      operator: op,
      strategy: o.strategy,
      demandUnits: d.demand.get(op)!,
      grantUnits: d.segOf.get(op)!.units,
      grantMHz: d.segOf.get(op)!.units * unitMHz,
      useUnits: d.use.get(op)!,
      usedUnits: measured[i]!.usedUnits,
      throughputMbps: measured[i]!.throughputMbps,
      costTokens: microToTokens(costs[i]!),
      balanceTokens: balances ? microToTokens(balances.get(op) ?? 0n) : null,
      ...(d.lockOuts.has(op) ? { lockedOutUntil: d.lockOuts.get(op)! } : {}),
      ...(measured[i]!.fromCarrier ? { usedFromCarrier: true } : {}),
      ...(effect.has(op) ? { timeToEffectMs: Math.round(effect.get(op)!.ms), retuned: effect.get(op)!.retuned, ...(effect.get(op)!.offAir ? { offAir: true } : {}) } : {}),
    };
  });
  const record: EpochRecord = {
    epoch: d.epoch,
    chainEpoch: ledger ? Number(d.chainEpoch) : null,
    startNs: window.startNs,
    jain: jain(rows.map((r) => r.grantUnits)),
    ...(window.overrunMs !== undefined ? { overrunMs: window.overrunMs } : {}),
    kpmIndications: kpm.inds.length,
    operators: rows,
  };
  return { record, balances };
}

/** One operator's epoch: throughput summed over its cells, PRBs used turned into token units. */
function measure(session: RigSession, inds: KpmIndication[], operator: string, tokenUnitKHz: number, maxUnits: number, prbTotal: Map<string, number>): { usedUnits: number; throughputMbps: number; fromCarrier: boolean } {
  let thpKbps = 0;
  let units = 0;
  let fromCarrier = false;
  for (const bs of session.basestations.values()) {
    if (bs.rig.operator !== operator) continue;
    for (const cell of bs.setup.cells) {
      const mine = inds.filter((i) => i.nodeId === bs.rig.id && i.cellId === cell.id);
      if (!mine.length) continue;
      thpKbps += mine.reduce((a, i) => a + i.thpDlKbps, 0) / mine.length;
      // An agent that cannot report PRB use: its occupancy of the band, the PRBs of the carrier it had on air.
      if (mine.some((i) => i.prbUsedDl === undefined)) fromCarrier = true;
      const prbUsed = mine.reduce((a, i) => a + (i.prbUsedDl ?? (i.prbAvailDl > 0 || i.thpDlKbps > 0 ? (prbTotal.get(`${bs.rig.id}/${cell.id}`) ?? cell.prbTotal) : 0)), 0) / mine.length;
      units += usedUnits(prbUsed, cell.scsKHz, tokenUnitKHz);
    }
  }
  return { usedUnits: Math.min(units, maxUnits), throughputMbps: thpKbps / 1000, fromCarrier };
}
