// The report of a spectrum-sharing trial: a table per operator, Jain's fairness over the
// last quarter, and convergence to W/n. The same figures go to results/<trial-id>/report.json.
// Every figure is computed from the same epoch records that were written to InfluxDB.
import { microToTokens } from '../ledger/index.js';
import { convergedAtEpoch, lastQuarterStart } from '../trial/fairness.js';
import type { EpochOverrun, SpectrumTrialResult } from '../trial/spectrum.js';
import type { TrialEnd } from './common.js';
import type { UeMarketReport } from '../trial/uemarket.js';

export interface OperatorReport {
  name: string;
  strategy: string;
  meanDemandUnits: number;
  meanGrantMHz: number;
  meanGrantUnits: number;
  /** Mean use measured from KPM (token units). */
  meanUsedUnits: number;
  meanThroughputMbps: number;
  /** Tokens (the contract's micro-tokens / 1e6); null when the policy does not use the ledger. */
  finalBalance: number | null;
  /** Exact, as the contract holds it: micro-tokens, decimal string; null without the ledger. */
  finalBalanceMicro: string | null;
  /** Mean grant over the last quarter of the epochs, MHz. */
  lastQuarterMeanGrantMHz: number;
}

export interface SpectrumReport extends TrialEnd {
  trialId: string;
  rig: string;
  kind: 'spectrum-sharing';
  policy: string;
  /** The twin's time: real, or virtual (advanced by the trial; absent in reports written before it existed). */
  clock?: 'real' | 'virtual';
  /** Epochs completed (fewer than requested when the trial stopped early). */
  epochs: number;
  epochsRequested: number;
  completed: boolean;
  error: string | null;
  epochMs: number;
  bandMHz: number;
  fairShareMHz: number;
  /** Mean over the last quarter of the epochs of each epoch's Jain index of the grants. */
  fairness: number | null;
  /** First epoch (1-based) from which every grant stays within 2 % of W/n; null if never. */
  convergedAtEpoch: number | null;
  /** Mean over the epochs of the measured use of all operators over W. */
  utilisation: number;
  /** Fairness lock-outs the contract decided: in epoch `epoch` the operator was denied grants up to `untilEpoch` (trial epochs). */
  lockOuts: { epoch: number; operator: string; untilEpoch: number }[];
  /** The contract's epochs this trial played (null without the ledger). */
  chainEpochs: { first: number; last: number } | null;
  /** The token's supply, the final balances plus escrow (micro-tokens), and whether they are equal; null without the ledger. */
  supply: { initialMicro: string; finalMicro: string; conserved: boolean } | null;
  operators: OperatorReport[];
  /**
   * Each epoch's time to effect per operator (first control to last acknowledgement, ms) and
   * whether a cell was retuned (restarted) or off; present for drivers whose grants take
   * effect by retune (srsRAN).
   */
  timeToEffect: { epoch: number; operator: string; ms: number; retuned: boolean; offAir: boolean }[];
  /** Epochs whose grants took effect after their window had started (the window kept its schedule), and by how much. */
  overruns?: EpochOverrun[];
  /** Operators whose use was settled from their carriers' occupancy (a driver without PRB use), and in how many epochs. */
  usedFromCarrier: { operator: string; epochs: number }[];
  /** trial.ueMarket only: each UE's winner, price and paid total; the operators' balances and what the Paid events gave them. */
  ueMarket?: UeMarketReport;
  influx: { url: string; database: string };
  startedAt: string;
  finishedAt: string;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function buildSpectrumReport(
  result: Partial<SpectrumTrialResult> & { epochs: SpectrumTrialResult['epochs'] },
  meta: {
    trialId: string;
    rig: string;
    policy: string;
    clock?: 'real' | 'virtual';
    epochsRequested: number;
    epochMs: number;
    bandMHz: number;
    /** W in whole token units and the MHz of one unit: grants are whole units. */
    bandUnits: number;
    unitMHz: number;
    operators: string[];
    /** Each operator's strategy (for the report when no epoch ran). */
    strategies?: Record<string, string>;
    error: string | null;
    influx: { url: string; database: string };
    startedAt: Date;
  },
): SpectrumReport {
  const recs = result.epochs;
  const n = meta.operators.length;
  const q = lastQuarterStart(recs.length);
  const last = recs.slice(q);
  const grantsMHz = recs.map((r) => meta.operators.map((op) => r.operators.find((o) => o.operator === op)!.grantMHz));
  // W/n as the contract divides it: whole token units of the band.
  const fairShare = (meta.bandUnits * meta.unitMHz) / n;
  const conv = recs.length ? convergedAtEpoch(grantsMHz, fairShare, 0.02) : null;
  const initial = result.initialSupplyMicro;
  const final = result.finalSupplyMicro;
  const usesLedger = meta.policy === 'ledger';
  const chain = recs.map((r) => r.chainEpoch).filter((e): e is number => e !== null);
  return {
    trialId: meta.trialId,
    rig: meta.rig,
    kind: 'spectrum-sharing',
    policy: meta.policy,
    clock: meta.clock ?? 'real',
    epochs: recs.length,
    epochsRequested: meta.epochsRequested,
    completed: meta.error === null && recs.length === meta.epochsRequested,
    error: meta.error,
    epochMs: meta.epochMs,
    bandMHz: meta.bandMHz,
    fairShareMHz: fairShare,
    fairness: recs.length ? mean(last.map((r) => r.jain)) : null,
    convergedAtEpoch: conv === null ? null : recs[conv]!.epoch,
    utilisation: mean(recs.map((r) => r.operators.reduce((a, o) => a + o.usedUnits, 0) / meta.bandUnits)),
    chainEpochs: chain.length ? { first: chain[0]!, last: chain.at(-1)! } : null,
    lockOuts: recs.flatMap((r) => r.operators.filter((o) => o.lockedOutUntil !== undefined).map((o) => ({ epoch: r.epoch, operator: o.operator, untilEpoch: o.lockedOutUntil! }))),
    supply: usesLedger
      ? { initialMicro: initial?.toString() ?? '', finalMicro: final?.toString() ?? '', conserved: initial !== undefined && initial === final }
      : null,
    operators: meta.operators.map((name) => {
      const rows = recs.map((r) => r.operators.find((o) => o.operator === name)!);
      const micro = result.finalBalancesMicro?.get(name);
      return {
        name,
        strategy: rows[0]?.strategy ?? meta.strategies?.[name] ?? 'saturated',
        meanDemandUnits: mean(rows.map((r) => r.demandUnits)),
        meanGrantMHz: mean(rows.map((r) => r.grantMHz)),
        meanGrantUnits: mean(rows.map((r) => r.grantUnits)),
        meanUsedUnits: mean(rows.map((r) => r.usedUnits)),
        meanThroughputMbps: mean(rows.map((r) => r.throughputMbps)),
        finalBalance: !usesLedger ? null : micro !== undefined ? microToTokens(micro) : rows.at(-1)?.balanceTokens ?? null,
        finalBalanceMicro: !usesLedger ? null : micro?.toString() ?? null,
        lastQuarterMeanGrantMHz: mean(last.map((r) => r.operators.find((o) => o.operator === name)!.grantMHz)),
      };
    }),
    ...(result.ueMarket ? { ueMarket: result.ueMarket } : {}),
    overruns: recs.filter((r) => r.overrunMs !== undefined).map((r) => ({ epoch: r.epoch, lateMs: Math.round(r.overrunMs! * 10) / 10 })),
    timeToEffect: recs.flatMap((r) =>
      r.operators.filter((o) => o.timeToEffectMs !== undefined).map((o) => ({ epoch: r.epoch, operator: o.operator, ms: o.timeToEffectMs!, retuned: o.retuned ?? false, offAir: o.offAir ?? false })),
    ),
    usedFromCarrier: meta.operators
      .map((operator) => ({ operator, epochs: recs.filter((r) => r.operators.find((o) => o.operator === operator)?.usedFromCarrier).length }))
      .filter((x) => x.epochs > 0),
    influx: meta.influx,
    startedAt: meta.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

export function formatSpectrumReport(r: SpectrumReport): string {
  if (r.epochs === 0) return `trial ${r.trialId}  rig ${r.rig}  policy ${r.policy}: no epoch ran${r.error ? ` (${r.error})` : ''}`;
  const head = ['operator', 'strategy', 'mean grant MHz', 'mean used units', 'mean thp Mbit/s', 'final balance', 'last-¼ grant MHz'];
  const rows = r.operators.map((o) => [
    o.name,
    o.strategy,
    o.meanGrantMHz.toFixed(2),
    o.meanUsedUnits.toFixed(1),
    o.meanThroughputMbps.toFixed(1),
    o.finalBalance === null ? '-' : o.finalBalance.toFixed(3),
    o.lastQuarterMeanGrantMHz.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `trial ${r.trialId}  rig ${r.rig}  policy ${r.policy}  epochs ${r.epochs}/${r.epochsRequested} x ${r.epochMs} ms${r.clock === 'virtual' ? '  (virtual time)' : ''}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `Jain's fairness of grants (last quarter): ${r.fairness === null ? 'n/a' : r.fairness.toFixed(4)}`,
    `W/n = ${r.fairShareMHz.toFixed(2)} MHz; every grant within 2 % of it from epoch: ${r.convergedAtEpoch ?? 'never'}`,
    `band utilisation (measured use / W): ${(r.utilisation * 100).toFixed(1)} %`,
    ...(r.overruns?.length
      ? [`epochs on schedule: ${r.epochs - r.overruns.length}/${r.epochs}; overran (grants late into the window): ${r.overruns.map((o) => `${o.epoch} (+${o.lateMs} ms)`).slice(0, 10).join(', ')}${r.overruns.length > 10 ? ', ...' : ''}`]
      : []),
    ...r.lockOuts.map((l) => `fairness lock-out: ${l.operator} denied grants after epoch ${l.epoch} through epoch ${l.untilEpoch}`),
    r.supply === null
      ? `no ledger: the ${r.policy} policy moves no tokens`
      : r.supply.initialMicro
        ? `token supply ${r.supply.initialMicro} µtokens; final balances + escrow sum to ${r.supply.finalMicro} µtokens (${r.supply.conserved ? 'conserved' : 'NOT conserved'})` +
          (r.chainEpochs ? `; contract epochs ${r.chainEpochs.first}-${r.chainEpochs.last}` : '')
        : 'token supply: not read (the ledger could not be read at the end)',
  ];
  for (const u of r.ueMarket?.ues ?? [])
    out.push(
      u.winner
        ? `UE market: ${u.ue} (target ${u.minDlKbps} kbit/s) -> ${u.winner} at ${u.priceTokensPerMbit} tokens/Mbit, served by ${u.bs}${u.modem ? ` (modem: ${u.modem.registered ? 'registered' : 'NOT registered'} on ${u.modem.plmn ?? '?'})` : ''}; paid ${u.paidTokens.toFixed(6)} tokens for ${u.kbit} kbit over ${u.epochsPaid} epochs (mean ${(u.meanDlKbps / 1000).toFixed(1)} Mbit/s)`
        : `UE market: ${u.ue} (target ${u.minDlKbps} kbit/s): no offer met it; stayed on ${u.bs}, paid nothing`,
    );
  // Retunes (restarts) make the time to effect worth reading epoch by epoch.
  const effect = r.timeToEffect ?? []; // reports written before it existed have none
  if (effect.some((t) => t.retuned || t.offAir)) {
    out.push('', 'time to effect per epoch (ms; R = retuned by restart, off = no carrier fits the grant):');
    for (const e of [...new Set(effect.map((t) => t.epoch))])
      out.push(`  epoch ${String(e).padStart(3)}: ` + effect.filter((t) => t.epoch === e).map((t) => `${t.operator} ${t.ms}${t.retuned ? ' R' : ''}${t.offAir ? ' off' : ''}`).join(', '));
  } else if (effect.length) {
    const ms = effect.map((t) => t.ms);
    out.push(`time to effect per epoch: ${Math.min(...ms)}-${Math.max(...ms)} ms (no retunes)`);
  }
  for (const u of r.usedFromCarrier ?? [])
    out.push(`${u.operator}: PRB use missing from its reports in ${u.epochs} epoch(s) (srsRAN reports it per TDD slot only, while its gNB runs: never on an FDD band, not while stopped or before its first report after a restart); there its settled use is the PRBs of the carrier it had on air, its occupancy of the band`);
  if (r.error) out.push(`stopped early: ${r.error}`);
  return out.join('\n');
}
