// Spectrum sharing's series and charts: throughput and grant per operator per epoch, balances
// per epoch, Jain's index per epoch, time to effect per epoch where the driver reports it
// (seeds/004 Figs 2-4). The series comes from the runner's epoch records or from InfluxDB.
import { queryInflux } from '../../measure/index.js';
import { PALETTE, SINGLE, registerCharts, registerRecordsSeries, type ChartSpec, type TrialData } from './types.js';

export interface SpectrumOperatorRow {
  epoch: number;
  operator: string;
  /** Null where the figure is missing (nothing is drawn there, rather than a zero). */
  grantMHz: number | null;
  throughputMbps: number | null;
  balanceTokens: number | null;
  timeToEffectMs: number | null;
}

export interface SpectrumSeries {
  operators: string[];
  rows: SpectrumOperatorRow[];
  epochs: { epoch: number; jain: number }[];
}

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** From the runner's in-memory epoch records (the same figures written to InfluxDB). */
export function spectrumSeriesFromRecords(operators: string[], records: readonly { epoch: number; jain: number; operators: readonly object[] }[]): SpectrumSeries {
  const rows = records.flatMap((r) =>
    r.operators.map((o) => {
      const x = o as Record<string, unknown>;
      return {
        epoch: r.epoch,
        operator: String(x.operator),
        grantMHz: numOrNull(x.grantMHz),
        throughputMbps: numOrNull(x.throughputMbps),
        balanceTokens: numOrNull(x.balanceTokens),
        timeToEffectMs: numOrNull(x.timeToEffectMs) ?? numOrNull((r as Record<string, unknown>).timeToEffectMs),
      };
    }),
  );
  return { operators, rows, epochs: records.map((r) => ({ epoch: r.epoch, jain: r.jain })) };
}

/** From InfluxDB: the trial's epoch_operator and epoch points. */
export async function spectrumSeriesFromInflux(url: string, database: string, trialId: string): Promise<SpectrumSeries> {
  const id = trialId.replace(/'/g, "\\'");
  const [ops, eps] = await Promise.all([
    queryInflux(url, database, `SELECT * FROM epoch_operator WHERE trial='${id}'`),
    queryInflux(url, database, `SELECT epoch, jain FROM epoch WHERE trial='${id}'`),
  ]);
  const rows = ops
    .map((p) => ({
      epoch: Number(p.epoch),
      operator: String(p.operator),
      grantMHz: numOrNull(p.grantMHz),
      throughputMbps: numOrNull(p.throughputMbps),
      balanceTokens: numOrNull(p.balanceTokens),
      timeToEffectMs: numOrNull(p.timeToEffectMs),
    }))
    .sort((a, b) => a.epoch - b.epoch);
  const operators = [...new Set(rows.map((r) => r.operator))].sort();
  const epochs = eps.map((p) => ({ epoch: Number(p.epoch), jain: Number(p.jain) })).sort((a, b) => a.epoch - b.epoch);
  return { operators, rows, epochs };
}

function perOperator(s: SpectrumSeries, field: 'grantMHz' | 'throughputMbps' | 'balanceTokens' | 'timeToEffectMs') {
  const labels = s.epochs.length ? s.epochs.map((e) => e.epoch) : [...new Set(s.rows.map((r) => r.epoch))];
  return {
    labels,
    datasets: s.operators.map((op, i) => ({
      label: op,
      color: PALETTE[i % PALETTE.length]!,
      data: labels.map((e) => s.rows.find((r) => r.epoch === e && r.operator === op)?.[field] ?? null),
    })),
  };
}

const hasData = (c: ChartSpec) => c.datasets.some((d) => d.data.some((v) => v !== null));

export function spectrumCharts(t: TrialData): ChartSpec[] {
  const s = t.series as SpectrumSeries;
  const x = 'epoch';
  const charts: ChartSpec[] = [
    { id: 'throughput', title: 'Throughput per operator', yTitle: 'Mbit/s', xTitle: x, yMin: 0, ...perOperator(s, 'throughputMbps') },
    { id: 'grant', title: 'Grant per operator', yTitle: 'MHz', xTitle: x, yMin: 0, yMax: typeof t.report.bandMHz === 'number' ? t.report.bandMHz : undefined, ...perOperator(s, 'grantMHz') },
    { id: 'balance', title: 'Balance per operator', yTitle: 'tokens', xTitle: x, ...perOperator(s, 'balanceTokens') },
    {
      id: 'jain',
      title: "Jain's index of the grants",
      yTitle: 'index (0-1)',
      xTitle: x,
      yMin: 0,
      yMax: 1,
      labels: s.epochs.map((e) => e.epoch),
      datasets: [{ label: 'Jain', color: SINGLE, data: s.epochs.map((e) => e.jain) }],
    },
    { id: 'timeToEffect', title: 'Time to effect of the grant', yTitle: 'ms', xTitle: x, ...perOperator(s, 'timeToEffectMs') },
  ];
  // Balances exist only with the ledger; time to effect only where the driver reports it.
  return charts.filter((c) => hasData(c) || c.id === 'throughput' || c.id === 'grant' || c.id === 'jain');
}

registerCharts('spectrum-sharing', spectrumCharts);
registerRecordsSeries('spectrum-sharing', (operators, records) => spectrumSeriesFromRecords(operators, records as Parameters<typeof spectrumSeriesFromRecords>[1]));
