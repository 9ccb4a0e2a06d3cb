// The spectrum-sharing trial (DESIGN.md, "the flow of one epoch"): the ledger decides each
// epoch's grants (or a baseline policy does), plan/ turns them into PRB quotas, every base
// station is told over E2 RC control, KPM indications stream back, measured use is settled
// on the ledger, and every figure is written to InfluxDB as it is produced.
import { ComponentError } from '../errors.js';
import type { KpmIndication } from '../ran/index.js';
import { contiguousSegments, equalGrants, quotaForCell, randomSegments, seededRandom, usedUnits, type Segment } from '../plan/index.js';
import { bandUnits, type Policy } from '../rig/index.js';
import { nowNs, type Point } from '../measure/index.js';
import { microToTokens, type Ledger } from '../ledger/index.js';
import { jain } from './fairness.js';
import type { Progress, TrialKind } from './kinds.js';
import type { RigSession } from './session.js';

export interface SpectrumTrialOptions {
  policy: Policy;
  epochs: number;
  epochMs: number;
  kpmPeriodMs: number;
  seed: number;
  /** Completed epochs are appended here as they finish, so a caller keeps them if the trial fails. */
  records?: EpochRecord[];
}

export interface OperatorEpoch {
  operator: string;
  grantUnits: number;
  grantMHz: number;
  usedUnits: number;
  throughputMbps: number;
  costTokens: number;
  balanceTokens: number;
}

export interface EpochRecord {
  epoch: number;
  startNs: bigint;
  jain: number;
  operators: OperatorEpoch[];
}

export interface SpectrumTrialResult {
  epochs: EpochRecord[];
  /** Exact final balances, micro-tokens, read from the contract. */
  finalBalancesMicro: Map<string, bigint>;
  initialSupplyMicro: bigint;
  finalSupplyMicro: bigint;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const spectrumSharing: TrialKind<SpectrumTrialOptions, SpectrumTrialResult> = {
  name: 'spectrum-sharing',
  async run(session, opts, progress, signal) {
    const { rig } = session;
    const operators = rig.operators.map((o) => o.name);
    const W = bandUnits(rig.spectrum);
    const unitMHz = rig.spectrum.tokenUnitKHz / 1000;
    const rand = seededRandom(opts.seed);
    const tags = { ...session.baseTags(), policy: opts.policy };

    // KPM indications land in the current epoch's bucket, and in InfluxDB as they arrive.
    let bucket: KpmIndication[] = [];
    const subs = [...session.basestations.values()].map((bs) =>
      bs.driver.subscribe(
        opts.kpmPeriodMs,
        (ind) => {
          bucket.push(ind);
          session.write(kpmPoints(ind, { ...session.baseTags(), operator: bs.rig.operator, bs: bs.rig.id }));
        },
        (err) => session.fail(err instanceof ComponentError ? err : new ComponentError(bs.rig.id, err.message, 'KPM_STREAM_BROKEN')),
      ),
    );

    // UE serving-cell readings: at least two per epoch, so every epoch has some.
    session.startUeReadings(Math.min(opts.kpmPeriodMs, Math.floor(opts.epochMs / 2)));
    const records: EpochRecord[] = opts.records ?? [];
    const initialSupplyMicro = await session.race(session.ledger.totalSupply());
    progress.start(opts.epochs, { policy: opts.policy, fairness: '-' });
    try {
      for (let epoch = 1; epoch <= opts.epochs && !signal.aborted; epoch++) {
        const startNs = nowNs();
        // 1. Decide: the ledger's contract, or a baseline.
        let segments: Segment[];
        if (opts.policy === 'ledger') {
          await session.race(Promise.all(operators.map((op) => session.ledger.request(epoch, op, W))));
          const grants = await session.race(session.ledger.decide(epoch, opts.epochMs));
          segments = contiguousSegments(rig.spectrum, new Map(operators.map((op) => [op, grants.get(op) ?? 0])));
        } else if (opts.policy === 'equal') segments = contiguousSegments(rig.spectrum, equalGrants(rig.spectrum, operators));
        else segments = randomSegments(rig.spectrum, operators, rand);
        const segOf = new Map(segments.map((s) => [s.operator, s]));

        // 2. Plan and apply: every cell gets the PRBs inside its operator's segment.
        await session.race(
          Promise.all(
            [...session.basestations.values()].flatMap((bs) =>
              bs.setup.cells.map(async (cell) => {
                const rigCell = bs.rig.cells.find((c) => c.id === cell.id)!;
                const q = quotaForCell({ ...rigCell, prbTotal: cell.prbTotal }, segOf.get(bs.rig.operator)!);
                await bs.driver.control({ kind: 'prbQuota', cellId: cell.id, startPrb: q.startPrb, nPrb: q.nPrb });
                if (!cell.on) {
                  await bs.driver.control({ kind: 'cellState', cellId: cell.id, on: true });
                  cell.on = true;
                }
              }),
            ),
          ),
        );

        // 3. Measure for one epoch.
        bucket = [];
        await session.race(sleep(opts.epochMs));
        const inds = bucket;

        // 4. Settle measured use (each operator signs its own settlement), read balances.
        const measured = operators.map((op) => measure(session, inds, op, rig.spectrum.tokenUnitKHz, W));
        const costs = await session.race(
          Promise.all(measured.map((m, i) => session.ledger.settle(epoch, operators[i]!, m.usedUnits, opts.epochMs))),
        );
        const balances = await session.race(session.ledger.balances());

        const rows: OperatorEpoch[] = operators.map((op, i) => ({
          operator: op,
          grantUnits: segOf.get(op)!.units,
          grantMHz: segOf.get(op)!.units * unitMHz,
          usedUnits: measured[i]!.usedUnits,
          throughputMbps: measured[i]!.throughputMbps,
          costTokens: microToTokens(costs[i]!),
          balanceTokens: microToTokens(balances.get(op) ?? 0n),
        }));
        const rec: EpochRecord = { epoch, startNs, jain: jain(rows.map((r) => r.grantUnits)), operators: rows };
        records.push(rec);
        session.write(epochPoints(rec, tags));
        progress.update(epoch, { policy: opts.policy, fairness: rec.jain.toFixed(3) });
      }
    } finally {
      for (const s of subs) s.close();
      progress.stop();
    }
    return { epochs: records, initialSupplyMicro, ...(await session.race(readFinalBalances(session.ledger))) };
  },
};

/**
 * The contract's balances at the end, and their sum: supply is conserved when that sum still
 * equals the contract's (immutable) total supply, to the last micro-token.
 */
export async function readFinalBalances(ledger: Ledger): Promise<{ finalBalancesMicro: Map<string, bigint>; finalSupplyMicro: bigint }> {
  const finalBalancesMicro = await ledger.balances();
  const finalSupplyMicro = [...finalBalancesMicro.values()].reduce((a, b) => a + b, 0n);
  return { finalBalancesMicro, finalSupplyMicro };
}

/** One operator's epoch: throughput summed over its cells, PRBs used turned into token units. */
function measure(session: RigSession, inds: KpmIndication[], operator: string, tokenUnitKHz: number, maxUnits: number): { usedUnits: number; throughputMbps: number } {
  let thpKbps = 0;
  let units = 0;
  for (const bs of session.basestations.values()) {
    if (bs.rig.operator !== operator) continue;
    for (const cell of bs.setup.cells) {
      const mine = inds.filter((i) => i.nodeId === bs.rig.id && i.cellId === cell.id);
      if (!mine.length) continue;
      thpKbps += mine.reduce((a, i) => a + i.thpDlKbps, 0) / mine.length;
      const prbUsed = mine.reduce((a, i) => a + i.prbUsedDl, 0) / mine.length;
      units += usedUnits(prbUsed, cell.scsKHz, tokenUnitKHz);
    }
  }
  return { usedUnits: Math.min(units, maxUnits), throughputMbps: thpKbps / 1000 };
}

function epochPoints(rec: EpochRecord, tags: Record<string, string>): Point[] {
  const pts: Point[] = rec.operators.map((o) => ({
    measurement: 'epoch_operator',
    tags: { ...tags, operator: o.operator },
    timestampNs: rec.startNs,
    fields: {
      epoch: rec.epoch,
      grantUnits: o.grantUnits,
      grantMHz: o.grantMHz,
      usedUnits: o.usedUnits,
      throughputMbps: o.throughputMbps,
      costTokens: o.costTokens,
      balanceTokens: o.balanceTokens,
    },
  }));
  pts.push({
    measurement: 'epoch',
    tags,
    timestampNs: rec.startNs,
    fields: { epoch: rec.epoch, jain: rec.jain, totalGrantMHz: rec.operators.reduce((a, o) => a + o.grantMHz, 0) },
  });
  return pts;
}

/** The fields that have a value (an agent that does not measure the uplink leaves it undefined). */
function reported(fields: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

function kpmPoints(ind: KpmIndication, tags: Record<string, string>): Point[] {
  const cellTags = { ...tags, cell: ind.cellId };
  return [
    {
      measurement: 'kpm_cell',
      tags: cellTags,
      timestampNs: ind.timestampNs,
      fields: {
        prbAvailDl: ind.prbAvailDl,
        prbUsedDl: ind.prbUsedDl,
        prbTotDlPct: ind.prbTotDlPct,
        thpDlKbps: ind.thpDlKbps,
        // Uplink: left out of the point when the agent does not report it.
        ...reported({ prbAvailUl: ind.prbAvailUl, prbUsedUl: ind.prbUsedUl, prbTotUlPct: ind.prbTotUlPct, thpUlKbps: ind.thpUlKbps }),
      },
    },
    ...ind.ues.map((u) => ({
      measurement: 'kpm_ue',
      tags: { ...cellTags, ue: u.ueId },
      timestampNs: ind.timestampNs,
      fields: {
        thpDlKbps: u.thpDlKbps,
        prbUsedDl: u.prbUsedDl,
        cqi: u.cqi,
        sinrDb: u.sinrDb,
        rsrpDbm: u.rsrpDbm,
        ...reported({ thpUlKbps: u.thpUlKbps, prbUsedUl: u.prbUsedUl, sinrUlDb: u.sinrUlDb }),
      },
    })),
  ];
}
