// The spectrum-sharing trial (DESIGN.md, "the flow of one epoch"): the ledger decides each
// epoch's grants (or a baseline policy does), plan/ turns them into PRB quotas, every base
// station is told over E2 RC control, KPM indications stream back, measured use is settled
// on the ledger, and every figure is written to InfluxDB as it is produced.
import { ComponentError, ConfigError } from '../errors.js';
import type { BaseStation, CellInfo, KpmIndication } from '../ran/index.js';
import { carrierForSegment, contiguousSegments, equalGrants, quotaForCell, randomSegments, seededRandom, usedUnits, type Segment } from '../plan/index.js';
import { bandUnits, type Policy, type Strategy } from '../rig/index.js';
import { nowNs, type Point } from '../measure/index.js';
import { microToTokens, type Ledger } from '../ledger/index.js';
import { childLog } from '../log.js';
import { runEpochTraffic, trafficPoints, type TrafficOutcome } from '../ue/index.js';
import { jain } from './fairness.js';
import { measurementsDigest } from './digest.js';
import { burstProcess, demandOf, useOf } from './strategies.js';
import { writeTrialRecords } from './verify.js';
import { payForEpoch, ueMarketReport, type UeMarketReport } from './uemarket.js';
import type { Progress, TrialKind } from './kinds.js';
import type { RigSession } from './session.js';

export interface SpectrumTrialOptions {
  policy: Policy;
  epochs: number;
  epochMs: number;
  kpmPeriodMs: number;
  /** Seeds the random policy and the bursty operators' traffic. */
  seed: number;
  /** Completed epochs are appended here as they finish, so a caller keeps them if the trial fails. */
  records?: EpochRecord[];
}

export interface OperatorEpoch {
  operator: string;
  strategy: Strategy;
  /** Units requested (the strategy's demand this epoch). */
  demandUnits: number;
  grantUnits: number;
  grantMHz: number;
  /** Units of its grant the operator transmitted on (the PRB quota its cells were given). */
  useUnits: number;
  /** Use measured from KPM, in token units (settled, capped at the grant). */
  usedUnits: number;
  throughputMbps: number;
  /** Spent + holding charge (tokens); 0 without a ledger. */
  costTokens: number;
  /** Balance after the epoch's settlements (tokens); null without a ledger. */
  balanceTokens: number | null;
  /** Set when this epoch's decision locked the operator out (fairness): its last epoch without a grant, as a trial epoch. */
  lockedOutUntil?: number;
  /** From the epoch's first control to the last acknowledgement (its cells' grants in effect), ms. */
  timeToEffectMs?: number;
  /** A cell of the operator changed carrier this epoch (a restart, for srsRAN). */
  retuned?: boolean;
  /** Its grant held no carrier its cells can use: they were off this epoch. */
  offAir?: boolean;
  /** A cell reported no PRB use: its use was settled as the PRBs of the carrier it had on air. */
  usedFromCarrier?: boolean;
}

export interface EpochRecord {
  epoch: number;
  /** The contract's epoch number (null without a ledger). */
  chainEpoch: number | null;
  startNs: bigint;
  jain: number;
  operators: OperatorEpoch[];
}

export interface SpectrumTrialResult {
  epochs: EpochRecord[];
  /** Exact final balances, micro-tokens, read from the contract after the last settlement (ledger policy only). */
  finalBalancesMicro?: Map<string, bigint>;
  initialSupplyMicro?: bigint;
  finalSupplyMicro?: bigint;
  /** trial.ueMarket: each UE's winner, price and paid total, and the operators' balances. */
  ueMarket?: UeMarketReport;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = childLog('trial.spectrum');

export const spectrumSharing: TrialKind<SpectrumTrialOptions, SpectrumTrialResult> = {
  name: 'spectrum-sharing',
  async run(session, opts, progress, signal) {
    const { rig } = session;
    const operators = rig.operators.map((o) => o.name);
    const strategies = new Map(rig.operators.map((o) => [o.name, o.strategy]));
    const W = bandUnits(rig.spectrum);
    const unitMHz = rig.spectrum.tokenUnitKHz / 1000;
    const rand = seededRandom(opts.seed);
    const bursts = new Map(operators.map((op, i) => [op, burstProcess(opts.seed, i)]));
    const tags = { ...session.baseTags(), policy: opts.policy };
    // The baselines are the paper's world without tokens: no requests, no settlements, no balances.
    const ledger = opts.policy === 'ledger' ? session.ledger : null;

    // KPM indications go to InfluxDB as they arrive; while an epoch is measured they are also
    // kept (with their points, tagged with the epoch) for its settlement and its digest.
    let measuring: Measuring | null = null;
    const subs = [...session.basestations.values()].map((bs) =>
      bs.driver.subscribe(
        opts.kpmPeriodMs,
        (ind) => {
          const m = measuring;
          const points = kpmPoints(ind, { ...session.baseTags(), operator: bs.rig.operator, bs: bs.rig.id, ...(m ? { epoch: String(m.epoch) } : {}) });
          if (m) {
            m.inds.push(ind);
            m.points.get(bs.rig.operator)?.push(...points);
          }
          session.write(points);
        },
        (err) => session.fail(err instanceof ComponentError ? err : new ComponentError(bs.rig.id, err.message, 'KPM_STREAM_BROKEN')),
      ),
    );

    session.startUeReadings(Math.min(opts.kpmPeriodMs, Math.floor(opts.epochMs / 2)));
    const records: EpochRecord[] = opts.records ?? [];
    if (ledger) {
      const fixed = Number((await session.race(ledger.info())).epochMs);
      if (fixed !== opts.epochMs)
        throw new ConfigError(`the lab contract's epoch length is ${fixed} ms (fixed at its deployment); this trial asked for ${opts.epochMs} ms`, 'EPOCH_LENGTH_MISMATCH');
    }
    const initialSupplyMicro = ledger ? await session.race(ledger.totalSupply()) : undefined;
    // A second trial on the same contract continues from the contract's next epoch.
    let chainEpoch = ledger ? await session.race(ledger.currentEpoch()) : 0n;
    let balances = ledger ? await session.race(ledger.balances()) : undefined;
    progress.start(opts.epochs, { policy: opts.policy, fairness: '-' });
    try {
      for (let epoch = 1; epoch <= opts.epochs && !signal.aborted; epoch++) {
        const startNs = nowNs();
        // 1. Each operator's demand, by its own strategy.
        const mean = balances ? [...balances.values()].reduce((a, b) => a + b, 0n) / BigInt(operators.length) : undefined;
        const demand = new Map(
          operators.map((op) => [op, demandOf(strategies.get(op)!, { bandUnits: W, operators: operators.length, balanceMicro: balances?.get(op), meanBalanceMicro: mean, on: bursts.get(op)!() })]),
        );
        // 2. Decide: the ledger's contract (requests, then decide once the window is closed), or a baseline.
        let segments: Segment[];
        const lockOuts = new Map<string, number>();
        if (ledger) {
          await session.race(ledger.requestAll(chainEpoch, demand));
          const grants = await session.race(ledger.decide(chainEpoch));
          for (const [op, g] of grants) if (g.lockedOutUntil !== undefined) lockOuts.set(op, epoch + g.lockedOutUntil - Number(chainEpoch));
          segments = operators.map((op) => segmentOf(rig.spectrum.lowEdgeMHz, unitMHz, op, grants.get(op)!.startUnit, grants.get(op)!.units));
        } else if (opts.policy === 'equal') segments = contiguousSegments(rig.spectrum, equalGrants(rig.spectrum, operators));
        else segments = randomSegments(rig.spectrum, operators, rand);
        const segOf = new Map(segments.map((s) => [s.operator, s]));
        const use = new Map(operators.map((op) => [op, useOf(strategies.get(op)!, segOf.get(op)!.units, demand.get(op)!)]));

        // 3. Plan and apply: every cell gets what its driver can apply of the part of its
        // operator's segment it uses (a PRB range; or a standard carrier, by restart, and a PRB
        // ratio); for the latter the time from the first control to the last ack is kept.
        const effect = new Map<string, { ms: number; retuned: boolean; offAir: boolean }>();
        await session.race(
          Promise.all(
            [...session.basestations.values()].flatMap((bs) =>
              bs.setup.cells.map(async (cell) => {
                const rigCell = bs.rig.cells.find((c) => c.id === cell.id)!;
                const seg = segOf.get(bs.rig.operator)!;
                const used = { ...seg, highMHz: seg.lowMHz + use.get(bs.rig.operator)! * unitMHz };
                const t0 = performance.now();
                let retuned = false;
                let offAir = false;
                if (cell.grants === 'carrier-and-ratio') ({ retuned, offAir } = await applyCarrierGrant(bs.driver, cell, seg, used.highMHz - used.lowMHz));
                else {
                  const q = quotaForCell({ ...rigCell, prbTotal: cell.prbTotal }, used);
                  await bs.driver.control({ kind: 'prbQuota', cellId: cell.id, startPrb: q.startPrb, nPrb: q.nPrb });
                  if (!cell.on) {
                    await bs.driver.control({ kind: 'cellState', cellId: cell.id, on: true });
                    cell.on = true;
                  }
                }
                // Time to effect is a figure of drivers whose grants take effect by retune (srsRAN).
                if (cell.grants !== 'carrier-and-ratio') return;
                const prev = effect.get(bs.rig.operator);
                const ms = performance.now() - t0;
                effect.set(bs.rig.operator, { ms: Math.max(prev?.ms ?? 0, ms), retuned: retuned || !!prev?.retuned, offAir: offAir || !!prev?.offAir });
              }),
            ),
          ),
        );

        // 4. Measure for one epoch.
        const m: Measuring = { epoch, inds: [], points: new Map(operators.map((op) => [op, []])) };
        measuring = m;
        // Real traffic through each UE's data session (lab rigs that name an iperf3 server).
        const t = rig.trial.traffic;
        // In rig order: UE i of the rig uses port basePort + i, whichever UEs came up.
        const ueList = rig.ues.map((u) => session.ues.get(u.id) ?? null);
        const traffic = t && session.ues.size ? runEpochTraffic(ueList, { ...t, durationS: Math.max(1, Math.floor(opts.epochMs / 1000) - 1) }) : null;
        await session.race(sleep(opts.epochMs));
        measuring = null;
        if (traffic) writeTraffic(session, await session.race(traffic), epoch);
        const inds = m.inds;

        // 5. Settle measured use (never above the grant; each operator signs its own), read balances after the last one.
        const measured = operators.map((op) => measure(session, inds, op, rig.spectrum.tokenUnitKHz, segOf.get(op)!.units));
        let costs: bigint[] = operators.map(() => 0n);
        if (ledger) {
          const settled = await session.race(
            Promise.all(measured.map((x, i) => ledger.settle(chainEpoch, operators[i]!, x.usedUnits, measurementsDigest(m.points.get(operators[i]!)!)))),
          );
          costs = settled.map((x) => x.spentMicro + x.holdingMicro);
          balances = await session.race(ledger.balances());
        }
        // 5b. The UE market: each UE pays its winner for the downlink it received this epoch.
        if (session.ueMarket) {
          await session.race(payForEpoch(session.ledger, session.ueMarket, inds, epoch, opts.epochMs));
          if (balances) balances = await session.race(ledger!.balances());
        }

        const rows: OperatorEpoch[] = operators.map((op, i) => ({
          operator: op,
          strategy: strategies.get(op)!,
          demandUnits: demand.get(op)!,
          grantUnits: segOf.get(op)!.units,
          grantMHz: segOf.get(op)!.units * unitMHz,
          useUnits: use.get(op)!,
          usedUnits: measured[i]!.usedUnits,
          throughputMbps: measured[i]!.throughputMbps,
          costTokens: microToTokens(costs[i]!),
          balanceTokens: balances ? microToTokens(balances.get(op) ?? 0n) : null,
          ...(lockOuts.has(op) ? { lockedOutUntil: lockOuts.get(op)! } : {}),
          ...(measured[i]!.fromCarrier ? { usedFromCarrier: true } : {}),
          ...(effect.has(op) ? { timeToEffectMs: Math.round(effect.get(op)!.ms), retuned: effect.get(op)!.retuned, ...(effect.get(op)!.offAir ? { offAir: true } : {}) } : {}),
        }));
        const rec: EpochRecord = { epoch, chainEpoch: ledger ? Number(chainEpoch) : null, startNs, jain: jain(rows.map((r) => r.grantUnits)), operators: rows };
        records.push(rec);
        session.write(epochPoints(rec, tags));
        progress.update(epoch, { policy: opts.policy, fairness: rec.jain.toFixed(3) });
        chainEpoch += 1n;
      }
    } finally {
      for (const s of subs) s.close();
      progress.stop();
    }
    const market = session.ueMarket ? { ueMarket: await session.race(ueMarketReport(session.ledger, session.ueMarket, session.ues, opts.epochMs)) } : {};
    if (!ledger) return { epochs: records, ...market };
    const final = await session.race(readFinalBalances(ledger));
    const chainEpochs = records.map((r) => r.chainEpoch!);
    if (chainEpochs.length) await session.race(writeTrialRecords(session.opts.resultsDir, session.trialId, ledger, chainEpochs[0]!, chainEpochs.at(-1)!));
    return { epochs: records, initialSupplyMicro, ...final, ...market };
  },
};

interface Measuring {
  epoch: number;
  inds: KpmIndication[];
  /** Each operator's KPM points of the epoch, exactly as written: what its settlement's digest covers. */
  points: Map<string, Point[]>;
}

/**
 * A carrier-and-ratio cell (srsRAN): the largest standard carrier inside the segment (a new
 * one is a retune: the agent restarts the gNB and acknowledges once the cell is up), then the
 * PRB ratio the operator's use covers (acknowledged once the gNB's metrics confirm it). A
 * segment too small for any carrier turns the cell off.
 */
async function applyCarrierGrant(driver: BaseStation, cell: CellInfo, seg: Segment, usedMHz: number): Promise<{ retuned: boolean; offAir: boolean }> {
  const g = carrierForSegment(cell, seg, usedMHz);
  if (!g || g.nPrb === 0) {
    if (cell.on) await driver.control({ kind: 'cellState', cellId: cell.id, on: false });
    cell.on = false;
    return { retuned: false, offAir: true };
  }
  let retuned = false;
  if (g.carrierMHz !== cell.carrierMHz || g.bandwidthMHz !== cell.bandwidthMHz) {
    await driver.control({ kind: 'carrier', cellId: cell.id, carrierMHz: g.carrierMHz, bandwidthMHz: g.bandwidthMHz });
    retuned = cell.on;
    Object.assign(cell, { carrierMHz: g.carrierMHz, bandwidthMHz: g.bandwidthMHz, prbTotal: g.prbTotal });
  }
  // Off: the ratio goes into the gNB's configuration before it starts.
  if (!cell.on) {
    await driver.control({ kind: 'prbRatio', cellId: cell.id, maxRatioPct: g.maxRatioPct, nPrb: g.nPrb });
    await driver.control({ kind: 'cellState', cellId: cell.id, on: true });
    cell.on = true;
  } else await driver.control({ kind: 'prbRatio', cellId: cell.id, maxRatioPct: g.maxRatioPct, nPrb: g.nPrb });
  return { retuned, offAir: false };
}

/** The epoch's iperf3 results as `ue_traffic` points; a UE whose test failed is logged, the others are kept. */
function writeTraffic(session: RigSession, outcomes: TrafficOutcome[], epoch: number): void {
  for (const o of outcomes) {
    const ue = session.rig.ues.find((u) => u.id === o.ueId);
    if (o.result) session.write(trafficPoints(o.result, { ...session.baseTags(), operator: ue?.operator ?? '', ue: o.ueId, epoch: String(epoch) }));
    else log.warn({ ue: o.ueId, epoch, err: o.error }, 'no iperf3 traffic this epoch');
  }
}

function segmentOf(lowEdgeMHz: number, unitMHz: number, operator: string, startUnit: number, units: number): Segment {
  return { operator, units, lowMHz: lowEdgeMHz + startUnit * unitMHz, highMHz: lowEdgeMHz + (startUnit + units) * unitMHz };
}

/**
 * The contract's balances at the end (read after the last settlement was mined), and their sum
 * with the escrow: supply is conserved when that equals the token's fixed supply exactly.
 */
export async function readFinalBalances(ledger: Ledger): Promise<{ finalBalancesMicro: Map<string, bigint>; finalSupplyMicro: bigint }> {
  const [finalBalancesMicro, escrow, ues] = await Promise.all([
    // From the chain, not the balances kept from receipts (which this read checks).
    ledger.chainBalances(),
    ledger.escrowed(),
    ledger.market ? ledger.market.balancesOf(ledger.ueNames()) : Promise.resolve(new Map<string, bigint>()),
  ]);
  // Tokens still escrowed (an epoch stopped before its settlements), and the UEs' accounts, belong to the supply too.
  const finalSupplyMicro = [...finalBalancesMicro.values(), ...ues.values()].reduce((a, b) => a + b, 0n) + escrow;
  return { finalBalancesMicro, finalSupplyMicro };
}

/** One operator's epoch: throughput summed over its cells, PRBs used turned into token units. */
function measure(session: RigSession, inds: KpmIndication[], operator: string, tokenUnitKHz: number, maxUnits: number): { usedUnits: number; throughputMbps: number; fromCarrier: boolean } {
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
      const prbUsed = mine.reduce((a, i) => a + (i.prbUsedDl ?? (i.prbAvailDl > 0 || i.thpDlKbps > 0 ? cell.prbTotal : 0)), 0) / mine.length;
      units += usedUnits(prbUsed, cell.scsKHz, tokenUnitKHz);
    }
  }
  return { usedUnits: Math.min(units, maxUnits), throughputMbps: thpKbps / 1000, fromCarrier };
}

function epochPoints(rec: EpochRecord, tags: Record<string, string>): Point[] {
  const pts: Point[] = rec.operators.map((o) => ({
    measurement: 'epoch_operator',
    tags: { ...tags, operator: o.operator },
    timestampNs: rec.startNs,
    fields: {
      epoch: rec.epoch,
      demandUnits: o.demandUnits,
      grantUnits: o.grantUnits,
      grantMHz: o.grantMHz,
      useUnits: o.useUnits,
      usedUnits: o.usedUnits,
      throughputMbps: o.throughputMbps,
      ...(o.balanceTokens === null ? {} : { costTokens: o.costTokens, balanceTokens: o.balanceTokens }),
      ...(o.timeToEffectMs === undefined ? {} : { timeToEffectMs: o.timeToEffectMs, retuned: o.retuned ?? false }),
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

export function kpmPoints(ind: KpmIndication, tags: Record<string, string>): Point[] {
  const cellTags = { ...tags, cell: ind.cellId };
  return [
    {
      measurement: 'kpm_cell',
      tags: cellTags,
      timestampNs: ind.timestampNs,
      fields: {
        prbAvailDl: ind.prbAvailDl,
        prbTotDlPct: ind.prbTotDlPct,
        thpDlKbps: ind.thpDlKbps,
        // PRB use and the uplink: left out of the point when the agent does not report them.
        ...reported({ prbUsedDl: ind.prbUsedDl, prbAvailUl: ind.prbAvailUl, prbUsedUl: ind.prbUsedUl, prbTotUlPct: ind.prbTotUlPct, thpUlKbps: ind.thpUlKbps }),
      },
    },
    ...ind.ues.map((u) => ({
      measurement: 'kpm_ue',
      tags: { ...cellTags, ue: u.ueId },
      timestampNs: ind.timestampNs,
      fields: {
        thpDlKbps: u.thpDlKbps,
        ...reported({ prbUsedDl: u.prbUsedDl, cqi: u.cqi, sinrDb: u.sinrDb, rsrpDbm: u.rsrpDbm, thpUlKbps: u.thpUlKbps, prbUsedUl: u.prbUsedUl, sinrUlDb: u.sinrUlDb }),
      },
    })),
  ];
}
