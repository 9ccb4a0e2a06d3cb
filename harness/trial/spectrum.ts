// The spectrum-sharing trial (DESIGN.md, "the flow of one epoch"): the ledger decides each
// epoch's grants (or a baseline policy does), plan/ turns them into PRB quotas, every base
// station is told over E2 RC control, KPM indications stream back, measured use is settled
// on the ledger, and every figure is written to InfluxDB as it is produced.
//
// Epochs run on a fixed schedule: epoch k's window is [t0 + (k-1)·E, t0 + k·E), t0 on a KPM
// period boundary (the twin's periods lie on that grid). While window k runs, epoch k-1 is
// settled (from the KPM of its own window only) and epoch k+1 is decided; its grants are sent
// just before window k+1 starts (the twin figures each KPM period at its midpoint, so they do
// not reach back into window k). A decision or control not in effect at its window's start is
// an overrun: logged, recorded on the epoch (overrunMs) and reported; windows never stretch.
import { ConfigError } from '../errors.js';
import { childLog } from '../log.js';
import { seededRandom } from '../plan/index.js';
import type { Ledger } from '../ledger/index.js';
import { runEpochTraffic, type TrafficOutcome } from '../ue/index.js';
import { burstProcess } from './strategies.js';
import { writeTrialRecords } from './verify.js';
import { ueMarketReport } from './uemarket.js';
import { epochClock } from './epoch-clock.js';
import { applyGrants, decideEpoch, type Applied, type Decision, type DecideContext } from './epoch-grants.js';
import { KpmWindows } from './epoch-kpm.js';
import { epochPoints, writeTraffic } from './epoch-points.js';
import { settleEpoch } from './epoch-settle.js';
import type { TrialKind } from './kinds.js';
import type { SpectrumTrialOptions, SpectrumTrialResult } from './spectrum-types.js';

export type { EpochOverrun, EpochRecord, OperatorEpoch, SpectrumTrialOptions, SpectrumTrialResult } from './spectrum-types.js';
export { kpmPoints } from './epoch-points.js';

const log = childLog('trial.spectrum');

/** An epoch whose window has been scheduled, with what its settlement needs. */
interface Scheduled {
  d: Decision;
  a: Applied;
  startNs: bigint;
  overrunMs?: number;
  traffic: Promise<TrafficOutcome[]> | null;
}

/** The first period boundary at or after `tNs`. */
function nextBoundary(tNs: bigint, periodNs: bigint): bigint {
  return ((tNs + periodNs - 1n) / periodNs) * periodNs;
}

export const spectrumSharing: TrialKind<SpectrumTrialOptions, SpectrumTrialResult> = {
  name: 'spectrum-sharing',
  async run(session, opts, progress, signal) {
    const { rig } = session;
    const operators = rig.operators.map((o) => o.name);
    const tags = { ...session.baseTags(), policy: opts.policy };
    // The baselines are the paper's world without tokens: no requests, no settlements, no balances.
    const ledger = opts.policy === 'ledger' ? session.ledger : null;
    const clock = epochClock(session);
    await session.race(clock.sync());
    const kpm = new KpmWindows(session, operators, opts.epochMs, opts.epochs, opts.kpmPeriodMs);
    // Real time: UE readings on their own timer; virtual time: one per window (below).
    if (clock.kind === 'real') session.startUeReadings(Math.min(opts.kpmPeriodMs, Math.floor(opts.epochMs / 2)));
    const records = opts.records ?? [];
    if (ledger) {
      const fixed = Number((await session.race(ledger.info())).epochMs);
      if (fixed !== opts.epochMs)
        throw new ConfigError(`the lab contract's epoch length is ${fixed} ms (fixed at its deployment); this trial asked for ${opts.epochMs} ms`, 'EPOCH_LENGTH_MISMATCH');
    }
    const initialSupplyMicro = ledger ? await session.race(ledger.totalSupply()) : undefined;
    // A second trial on the same contract continues from the contract's next epoch.
    const firstChainEpoch = ledger ? await session.race(ledger.currentEpoch()) : 0n;
    let balances = ledger ? await session.race(ledger.balances()) : undefined;
    const ctx: DecideContext = { rig, opts, ledger, rand: seededRandom(opts.seed), bursts: new Map(operators.map((op, i) => [op, burstProcess(opts.seed, i)])) };
    const periodNs = BigInt(opts.kpmPeriodMs) * 1_000_000n;
    // A window's last indications arrive just after it ends; a silent cell is waited for this long.
    const kpmWaitMs = clock.kind === 'virtual' ? 5000 : Math.max(opts.kpmPeriodMs, 1000);
    const t = rig.trial.traffic;
    const ueList = rig.ues.map((u) => session.ues.get(u.id) ?? null);
    const startTraffic = () => (t && session.ues.size ? runEpochTraffic(ueList, { ...t, durationS: Math.max(1, Math.floor(opts.epochMs / 1000) - 1) }) : null);

    /** Settle an epoch once its window's KPM is in; its record and points follow. */
    const close = async (s: Scheduled): Promise<void> => {
      const epoch = s.d.epoch;
      const w = await session.race(kpm.complete(epoch, kpmWaitMs));
      if (w.missing.length) log.warn({ epoch, cells: w.missing }, 'epoch settled without the KPM of its last period from some cells');
      if (s.traffic) writeTraffic(session, await session.race(s.traffic), epoch);
      const settled = await settleEpoch(session, ledger, s.d, s.a, w, { startNs: s.startNs, overrunMs: s.overrunMs, epochMs: opts.epochMs }, balances);
      balances = settled.balances;
      records.push(settled.record);
      session.write(epochPoints(settled.record, tags));
      progress.update(epoch, { policy: opts.policy, fairness: settled.record.jain.toFixed(3) });
    };

    progress.start(opts.epochs, { policy: opts.policy, fairness: '-' });
    try {
      // Epoch 1 is decided and applied before its window, which opens on the next KPM period boundary.
      let decision = await decideEpoch(session, ctx, 1, firstChainEpoch, balances);
      let applyStarted = performance.now();
      let applied = await applyGrants(session, decision);
      // How long the last few applies that sent controls took: the lead for the next one.
      const applyTimes = [performance.now() - applyStarted];
      kpm.start(nextBoundary(clock.nowNs() + 1_000_000n, periodNs));
      let overrunMs: number | undefined;
      let previous: Scheduled | null = null;
      for (let k = 1; k <= opts.epochs; k++) {
        const current: Scheduled = { d: decision, a: applied, startNs: kpm.windowStart(k), ...(overrunMs !== undefined ? { overrunMs } : {}), traffic: startTraffic() };
        const last = k === opts.epochs || signal.aborted;
        // While this window runs: the previous epoch's settlement, then the next epoch's decision.
        const toClose = previous;
        let ready = false;
        const work = (async () => {
          if (toClose) await close(toClose);
          return last ? null : await decideEpoch(session, ctx, k + 1, decision.chainEpoch + 1n, balances);
        })().finally(() => (ready = true));
        work.catch(() => undefined);
        // Real time: the next grants go out just before the next window, twice the longest of the
        // last applies ahead (at least 5 ms); a quarter period at most, so they never reach the
        // period sampled last in this one. Virtual time: at the window's end exactly.
        const endNs = kpm.windowStart(k + 1);
        const leadMs = Math.min(opts.kpmPeriodMs / 4, opts.epochMs / 4, Math.max(5, 2 * Math.max(...applyTimes)));
        const leadNs = clock.kind === 'real' && !last ? BigInt(Math.round(leadMs * 1e6)) : 0n;
        await session.race(clock.runUntil(endNs - leadNs));
        if (clock.kind === 'virtual') await session.race(session.readUesOnce());
        const decidedInTime = ready;
        const next = await session.race(work);
        previous = current;
        if (!next) break;
        applyStarted = performance.now();
        applied = await applyGrants(session, next);
        if (applied.lastEffectiveNs > 0n) applyTimes.push(performance.now() - applyStarted);
        if (applyTimes.length > 10) applyTimes.shift();
        decision = next;
        // Late: the last control took effect after the window started, or (real time) the
        // decision itself came after it had started, until the controls were done.
        const doneNs = decidedInTime || clock.kind === 'virtual' ? 0n : clock.nowNs();
        const lateNs = (applied.lastEffectiveNs > doneNs ? applied.lastEffectiveNs : doneNs) - endNs;
        overrunMs = lateNs > 0n ? Number(lateNs) / 1e6 : undefined;
        if (overrunMs !== undefined)
          log.warn({ epoch: k + 1, lateMs: Number(overrunMs.toFixed(3)), decidedInTime }, 'epoch overran: its grants took effect after its window started (the window was not moved)');
      }
      if (previous) await close(previous);
    } finally {
      kpm.close();
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
