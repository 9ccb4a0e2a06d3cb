// Offload trials' charts, drawn from the report alone (it holds every condition's exact
// percentiles and its e2e distribution): the e2e latency distribution per condition, each
// stage's p99 per condition, and the split planner's decisions over time (the split in force) with the latency it
// predicted against what was measured.
import type { OffloadReport } from '../offload.js';
import { PALETTE, registerCharts, registerRecordsSeries, type ChartDataset, type ChartSpec, type TrialData } from './types.js';
import { registerSeriesSource } from './load.js';

const STAGE_LABELS: Record<string, string> = {
  headQueueMs: 'head queue',
  headMs: 'head compute',
  uplinkMs: 'uplink',
  edgeQueueMs: 'edge queue',
  edgeComputeMs: 'edge compute',
  downlinkMs: 'downlink',
  e2eMs: 'end to end',
};

const colour = (i: number) => PALETTE[i % PALETTE.length]!;

function distributionChart(r: OffloadReport): ChartSpec {
  // Bins differ per condition: the x axis is the union of bin starts, a missing bin is a gap.
  const starts = [...new Set(r.conditions.flatMap((c) => c.e2eDistribution.map((b) => b.fromMs)))].sort((a, b) => a - b);
  const datasets: ChartDataset[] = r.conditions.map((c, i) => {
    const byStart = new Map(c.e2eDistribution.map((b) => [b.fromMs, b.count / Math.max(1, c.requests)]));
    return { label: `${c.condition} ${c.ue}`, color: colour(i), data: starts.map((s) => byStart.get(s) ?? null) };
  });
  return { id: 'offloadE2e', title: 'End-to-end latency distribution per condition', yTitle: 'share of requests', xTitle: 'latency from (ms)', yMin: 0, labels: starts.map((s) => Math.round(s)), datasets };
}

function stagesChart(r: OffloadReport): ChartSpec {
  const stages = Object.keys(STAGE_LABELS);
  return {
    id: 'offloadStagesP99',
    title: 'p99 of each stage per condition',
    yTitle: 'ms',
    xTitle: 'stage',
    yMin: 0,
    labels: stages.map((s) => STAGE_LABELS[s]!),
    datasets: r.conditions.map((c, i) => ({
      label: `${c.condition} ${c.ue}`,
      color: colour(i),
      data: stages.map((s) => (c.stages as Record<string, { p99: number } | undefined>)[s]?.p99 ?? null),
    })),
  };
}

function decisionCharts(r: OffloadReport): ChartSpec[] {
  if (!r.decisions.length) return [];
  const keyOf = (x: { condition: string; ue: string }) => `${x.condition} ${x.ue}`;
  const series = [...new Set(r.decisions.map(keyOf))];
  // Each series' span: from its first decision to its condition's end, so a split held for a
  // whole condition draws as a line, not a lone point.
  const span = new Map(
    series.map((k) => {
      const from = Math.round(Math.min(...r.decisions.filter((d) => keyOf(d) === k).map((d) => d.atMs)));
      const c = r.conditions.find((x) => keyOf(x) === k);
      return [k, { from, to: c ? from + Math.round(c.durationMs) : from }];
    }),
  );
  const times = [...new Set([...r.decisions.map((d) => Math.round(d.atMs)), ...[...span.values()].map((s) => s.to)])].sort((a, b) => a - b);
  const at = (key: string, f: (d: OffloadReport['decisions'][number]) => number | null) =>
    times.map((t) => {
      const d = r.decisions.find((x) => keyOf(x) === key && Math.round(x.atMs) === t);
      return d ? f(d) : null;
    });
  // The split in force at each time: the series' latest decision, within its span.
  const inForce = (key: string) =>
    times.map((t) => {
      const s = span.get(key)!;
      if (t < s.from || t > s.to) return null;
      const ds = r.decisions.filter((x) => keyOf(x) === key && Math.round(x.atMs) <= t);
      return ds.length ? ds[ds.length - 1]!.split : null;
    });
  return [
    {
      id: 'offloadSplit',
      title: 'Split point chosen over time',
      yTitle: 'split (blocks on the UE)',
      xTitle: 'ms into the condition',
      yMin: 0,
      labels: times,
      datasets: series.map((k, i) => ({ label: k, color: colour(i), data: inForce(k) })),
    },
    {
      id: 'offloadPredicted',
      title: 'Predicted against measured mean latency per decision',
      yTitle: 'ms',
      xTitle: 'ms into the condition',
      yMin: 0,
      labels: times,
      datasets: series.flatMap((k, i) => [
        { label: `${k} predicted`, color: colour(2 * i), data: at(k, (d) => d.predictedMs) },
        { label: `${k} measured`, color: colour(2 * i + 1), data: at(k, (d) => d.measuredMeanMs) },
      ]),
    },
  ];
}

export function offloadCharts(t: TrialData): ChartSpec[] {
  const r = t.report as unknown as OffloadReport;
  if (!Array.isArray(r.conditions) || !r.conditions.length) return [];
  return [distributionChart(r), stagesChart(r), ...decisionCharts(r)];
}

registerCharts('offload', offloadCharts);
// Everything the charts need is in report.json: no series of their own.
registerRecordsSeries('offload', () => null);
registerSeriesSource('offload', async () => null);
