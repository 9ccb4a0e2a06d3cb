// What an HTML report draws: per trial, its saved report and the kind's per-epoch series;
// per kind, a registered function that turns them into charts.

/** A trial's report.json (kind-specific fields included). */
export type SavedReport = Record<string, unknown> & { kind: string; trialId: string };

export interface TrialData {
  report: SavedReport;
  /** The kind's per-epoch series (spectrum: SpectrumSeries). */
  series: unknown;
}

export interface ChartDataset {
  label: string;
  color: string;
  data: (number | null)[];
}

export interface ChartSpec {
  /** Stable id: the same chart of two trials sits in one row of a comparison. */
  id: string;
  title: string;
  yTitle: string;
  xTitle: string;
  labels: (number | string)[];
  datasets: ChartDataset[];
  /** Fixed axis range where the figure has one (a grant is 0..W, Jain's index 0..1). */
  yMin?: number;
  yMax?: number;
}

const builders = new Map<string, (t: TrialData) => ChartSpec[]>();
const fromRecords = new Map<string, (operators: string[], records: readonly unknown[]) => unknown>();

/** A trial kind's series from the runner's in-memory records (the page drawn at the end of a trial). */
export function registerRecordsSeries(kind: string, build: (operators: string[], records: readonly unknown[]) => unknown): void {
  fromRecords.set(kind, build);
}

export function seriesFromRecords(kind: string, operators: string[], records: readonly unknown[]): unknown {
  const build = fromRecords.get(kind);
  return build ? build(operators, records) : null;
}

/** A trial kind's charts (its report's `kind`): offload registers its own beside spectrum. */
export function registerCharts(kind: string, build: (t: TrialData) => ChartSpec[]): void {
  builders.set(kind, build);
}

export function chartsFor(t: TrialData): ChartSpec[] {
  return builders.get(t.report.kind)?.(t) ?? [];
}

/** Operator colours, also what the page test looks for in each canvas. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#bcbd22'];
export const SINGLE = '#17becf';
