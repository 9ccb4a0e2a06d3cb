// The report of an offload-latency trial: per condition and UE, exact nearest-rank p50, p90,
// p99 and p99.9 of every stage over all requests (the same samples written to InfluxDB), the
// e2e latency distribution, the planner's decisions against what was measured, and the
// policies compared on p99.
// The statistics alone: the offload machinery (ONNX Runtime, edge clients) is not loaded to write a report.
import { distribution, percentiles, type Percentiles } from '../offload/stats.js';
import type { UeConditionResult } from '../offload/index.js';
import type { OffloadTrialResult } from '../trial/offload.js';
import type { TrialEnd } from './common.js';
import { formatSpectrumReport, type SpectrumReport } from './spectrum.js';

export const STAGES = ['headQueueMs', 'headMs', 'uplinkMs', 'edgeQueueMs', 'edgeComputeMs', 'downlinkMs', 'e2eMs'] as const;
export type Stage = (typeof STAGES)[number];

export interface OffloadConditionReport {
  condition: string;
  ue: string;
  requests: number;
  durationMs: number;
  /** Ran at least the minimum duration and query count. */
  metMinimums: boolean;
  /** Requests per split point. */
  splits: Record<string, number>;
  stages: Record<Stage, Percentiles>;
  /** Largest clock error bound carried by the cross-host stages, ms. */
  clockErrMs: number;
  e2eDistribution: { fromMs: number; toMs: number; count: number }[];
}

export interface OffloadReport extends TrialEnd {
  trialId: string;
  rig: string;
  kind: 'offload';
  /** offload, or combined (spectrum sharing moved the grants meanwhile). */
  trialKind: 'offload' | 'combined';
  completed: boolean;
  error: string | null;
  model: string | null;
  splitBytes: number[];
  ueBlockMs: number[];
  edgeBlockMs: number[];
  ueCpuLimit: string | null;
  edge: { id: string; provider: string; nvml: string; cpuCount: number; gpus: string[]; computeSeconds: number; served: number } | null;
  clocks: { ue: string; offsetMs: number; errorMs: number }[];
  /** What the load generator ran to (the short conditions' minimums in a short run). */
  loadgen: { scenario: string; rateHz: number; minDurationMs: number; minQueries: number };
  /** The minimums every condition is judged against: LoadGen's, or the rig's higher ones. */
  minimums: { minDurationMs: number; minQueries: number };
  /** Run with short conditions (tests, smoke runs): no condition counts as meeting the minimums. */
  shortConditions: boolean;
  qoais: { p99Ms?: number; privacy: boolean };
  conditions: OffloadConditionReport[];
  /** p99 of e2e per condition over all its UEs' requests, fastest first. */
  comparison: { condition: string; p99Ms: number; requests: number }[];
  decisions: { ue: string; condition: string; atMs: number; split: number; predictedMs: number; measuredMeanMs: number | null; measuredP99Ms: number | null; requests: number; ulKbps: number; reason: string }[];
  influx: { url: string; database: string };
  startedAt: string;
  finishedAt: string;
  /** The compute market: the service chosen, each condition's session settled (micro-tokens). */
  market: OffloadTrialResult['market'];
  /** A combined run: the spectrum game that moved the grants meanwhile. */
  spectrum?: SpectrumReport;
}

export interface OffloadReportMeta {
  trialId: string;
  rig: string;
  trialKind: 'offload' | 'combined';
  error: string | null;
  policies: string[];
  loadgen: OffloadReport['loadgen'];
  minimums: OffloadReport['minimums'];
  shortConditions: boolean;
  qoais: OffloadReport['qoais'];
  influx: OffloadReport['influx'];
  startedAt: Date;
}

function conditionReport(r: UeConditionResult, min: { minDurationMs: number; minQueries: number }, short: boolean): OffloadConditionReport {
  const s = r.samples;
  const splits: Record<string, number> = {};
  for (const x of s) splits[String(x.split)] = (splits[String(x.split)] ?? 0) + 1;
  return {
    condition: r.condition,
    ue: r.ue,
    requests: s.length,
    durationMs: r.durationMs,
    metMinimums: !short && s.length >= min.minQueries && r.durationMs >= min.minDurationMs,
    splits,
    stages: Object.fromEntries(STAGES.map((st) => [st, percentiles(s.map((x) => x[st]))])) as Record<Stage, Percentiles>,
    clockErrMs: s.length ? Math.max(...s.map((x) => x.clockErrMs)) : 0,
    e2eDistribution: distribution(s.map((x) => x.e2eMs)),
  };
}

export function buildOffloadReport(result: Partial<OffloadTrialResult> & { conditions: UeConditionResult[][] }, meta: OffloadReportMeta): OffloadReport {
  const conds = result.conditions;
  const first = conds.flat()[0]?.decisions[0]?.atMs ?? 0;
  return {
    trialId: meta.trialId,
    rig: meta.rig,
    kind: 'offload',
    trialKind: meta.trialKind,
    completed: meta.error === null && conds.length === meta.policies.length,
    error: meta.error,
    model: result.model ?? null,
    splitBytes: result.splitBytes ?? [],
    ueBlockMs: result.ueBlockMs ?? [],
    edgeBlockMs: result.edgeBlockMs ?? [],
    ueCpuLimit: result.cpuLimit?.note ?? null,
    edge: result.edgeStatus
      ? {
          id: result.edgeStatus.hostId,
          provider: result.edgeStatus.provider,
          nvml: result.edgeStatus.nvmlNote,
          cpuCount: result.edgeStatus.cpuCount,
          gpus: result.edgeStatus.gpus.map((g) => `${g.index}: ${g.name}`),
          computeSeconds: Number(BigInt(result.edgeStatus.computeNs)) / 1e9,
          served: Number(result.edgeStatus.served),
        }
      : null,
    clocks: result.clocks ?? [],
    market: result.market ?? null,
    loadgen: meta.loadgen,
    minimums: meta.minimums,
    shortConditions: meta.shortConditions,
    qoais: meta.qoais,
    conditions: conds.flat().map((c) => conditionReport(c, meta.minimums, meta.shortConditions)),
    comparison: conds
      .map((perUe) => {
        const e2e = perUe.flatMap((c) => c.samples.map((s) => s.e2eMs));
        return { condition: perUe[0]?.condition ?? '?', p99Ms: percentiles(e2e).p99, requests: e2e.length };
      })
      .sort((a, b) => a.p99Ms - b.p99Ms),
    decisions: conds.flat().flatMap((c) =>
      c.decisions.map((d) => ({
        ue: c.ue,
        condition: c.condition,
        atMs: d.atMs - first,
        split: d.split,
        predictedMs: d.predictedMs,
        measuredMeanMs: d.measuredMeanMs,
        measuredP99Ms: d.measuredP99Ms,
        requests: d.requests,
        ulKbps: d.ulKbps,
        reason: d.reason,
      })),
    ),
    influx: meta.influx,
    startedAt: meta.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

export function formatOffloadReport(r: OffloadReport): string {
  const out = [`trial ${r.trialId}  rig ${r.rig}  kind ${r.trialKind}  model ${r.model ?? '-'}`];
  if (r.ueCpuLimit) out.push(`UE compute: ${r.ueCpuLimit}; blocks ${r.ueBlockMs.map((m) => f(m)).join('/')} ms; edge ${r.edgeBlockMs.map((m) => f(m)).join('/')} ms (${r.edge?.provider ?? '?'}; ${r.edge?.nvml ?? ''})`);
  out.push(`bytes up per split: ${r.splitBytes.join(' / ')}`);
  out.push(`load: ${r.loadgen.scenario} ${r.loadgen.scenario === 'server' ? `${r.loadgen.rateHz}/s ` : ''}min ${r.loadgen.minDurationMs} ms and ${r.loadgen.minQueries} queries per UE; QoAIS p99 ${r.qoais.p99Ms ?? '-'} ms${r.qoais.privacy ? ', raw input stays on the UE' : ''}`);
  if (r.shortConditions)
    out.push(`SHORT CONDITIONS (--short-conditions, for tests and smoke runs): below LoadGen's minimums of ${r.minimums.minDurationMs} ms and ${r.minimums.minQueries} queries; no condition meets them`);
  out.push('', 'condition      ue        n     stage          p50      p90      p99    p99.9');
  for (const c of r.conditions) {
    for (const st of STAGES) {
      const p = c.stages[st];
      out.push(`${c.condition.padEnd(14)} ${c.ue.padEnd(8)} ${String(c.requests).padStart(5)}  ${st.padEnd(13)} ${[p.p50, p.p90, p.p99, p['p99.9']].map((x) => f(x).padStart(8)).join(' ')}`);
    }
    out.push(`${''.padEnd(29)}splits ${Object.entries(c.splits).map(([k, v]) => `k=${k}:${v}`).join(' ')}; clock error <= ${f(c.clockErrMs, 3)} ms${c.metMinimums ? '' : `; BELOW the minimums (${r.minimums.minDurationMs} ms, ${r.minimums.minQueries} queries): ${c.durationMs.toFixed(0)} ms, ${c.requests} queries`}`);
  }
  out.push('', 'p99 end to end by condition (all UEs): ' + r.comparison.map((c) => `${c.condition} ${f(c.p99Ms)} ms`).join(', '));
  if (r.decisions.length) {
    out.push('', 'decisions (planner and baselines): t ms, ue, condition, split, predicted ms, measured mean / p99 ms');
    for (const d of r.decisions) out.push(`  ${f(d.atMs, 0).padStart(7)} ${d.ue} ${d.condition} k=${d.split} pred ${f(d.predictedMs)} meas ${f(d.measuredMeanMs)} / ${f(d.measuredP99Ms)} (${d.requests} req, UL ${f(d.ulKbps / 1000, 1)} Mbit/s; ${d.reason})`);
  }
  if (r.edge) out.push('', `edge ${r.edge.id}: ${r.edge.served} requests, ${f(r.edge.computeSeconds, 3)} compute s`);
  if (r.market) {
    out.push('', `compute market: service #${r.market.serviceId} (contract ${r.market.contract}, LabToken ${r.market.token})`);
    for (const s of r.market.settlements)
      out.push(`  ${s.condition}: session ${s.sessionId}, ${(Number(s.computeMicros) / 1e6).toFixed(6)} compute s x ${s.priceMicroPerSecond} µtokens/s = ${s.paidMicro} µtokens to the edge owner, ${s.refundMicro} refunded`);
    out.push(`  balances after: ${r.market.payer} (UE operator) ${r.market.payerMicro}, ${r.market.owner} (edge owner) ${r.market.ownerMicro} µtokens; deposits still held ${r.market.escrowMicro}`);
    const s = r.market.supply;
    out.push(
      s
        ? `  token supply ${s.initialMicro} µtokens; every account + spectrum escrow + compute deposits sum to ${s.finalMicro} (${s.conserved ? 'conserved' : 'NOT conserved'}${r.spectrum ? ': spectrum and compute payments together' : ''})`
        : '  token supply: not read (the trial stopped before its end)',
    );
  }
  if (r.spectrum) out.push('', 'spectrum sharing meanwhile (combined run):', formatSpectrumReport(r.spectrum));
  if (r.error) out.push(`stopped early: ${r.error}`);
  return out.join('\n');
}
