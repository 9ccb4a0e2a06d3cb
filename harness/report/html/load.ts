// Rebuilding a trial's HTML from its results folder (report.json) and InfluxDB (the per-epoch
// points). The InfluxDB the report names is used when it answers; an embedded one that has
// stopped is started again on the state folder's data for the time of the queries.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ComponentError } from '../../errors.js';
import { pingInflux, startEmbeddedInflux } from '../../measure/index.js';
import { Supervisor } from '../../proc/index.js';
import { renderHtml } from './page.js';
import { spectrumSeriesFromInflux } from './spectrum.js';
import type { SavedReport, TrialData } from './types.js';

type SeriesSource = (report: SavedReport, url: string, database: string) => Promise<unknown>;
const sources = new Map<string, SeriesSource>([['spectrum-sharing', (r, url, db) => spectrumSeriesFromInflux(url, db, r.trialId)]]);

/** A trial kind's way to read its series back from InfluxDB. */
export function registerSeriesSource(kind: string, source: SeriesSource): void {
  sources.set(kind, source);
}

export function readSavedReport(resultsRoot: string, trialId: string): SavedReport {
  const path = join(resultsRoot, trialId, 'report.json');
  if (!existsSync(path)) throw new ConfigError(`no report for trial "${trialId}": ${path} does not exist`, 'TRIAL_NOT_FOUND');
  return JSON.parse(readFileSync(path, 'utf8')) as SavedReport;
}

/**
 * Run fn with a reachable InfluxDB holding the trials' points: the URL in the report, or the
 * embedded server restarted on <stateDir>/influx.
 */
export async function withTrialInflux<T>(report: SavedReport, stateDir: string, fn: (url: string, database: string) => Promise<T>): Promise<T> {
  const influx = (report.influx ?? {}) as { url?: string; database?: string };
  const database = influx.database ?? 'ranlab';
  if (influx.url && (await pingInflux(influx.url))) return fn(influx.url, database);
  const dataDir = join(stateDir, 'influx');
  if (!existsSync(dataDir)) throw new ComponentError('influx', `${influx.url ?? 'the InfluxDB of the trial'} does not answer and there is no embedded data in ${dataDir}`, 'INFLUX_UNREACHABLE');
  const sup = new Supervisor();
  try {
    const server = await startEmbeddedInflux(sup, { dataDir, database });
    return await fn(server.url, database);
  } finally {
    await sup.stopAll();
  }
}

export async function loadTrialData(resultsRoot: string, trialIds: string[], stateDir: string): Promise<TrialData[]> {
  const reports = trialIds.map((id) => readSavedReport(resultsRoot, id));
  const out: TrialData[] = [];
  for (const report of reports) {
    const source = sources.get(report.kind);
    if (!source) throw new ConfigError(`trial ${report.trialId}: no HTML report for trial kind "${report.kind}"`, 'REPORT_KIND_UNKNOWN');
    out.push({ report, series: await withTrialInflux(report, stateDir, (url, db) => source(report, url, db)) });
  }
  return out;
}

export function writeTrialHtml(path: string, trials: TrialData[], title: string): string {
  writeFileSync(path, renderHtml(trials, title));
  return path;
}
