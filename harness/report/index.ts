// harness/report: one report per trial kind (spectrum.ts, offload.ts), written as
// results/<trial-id>/report.json and printed as a table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatOffloadReport, type OffloadReport } from './offload.js';
import { formatSpectrumReport, type SpectrumReport } from './spectrum.js';

export { buildSpectrumReport, formatSpectrumReport, type SpectrumReport, type OperatorReport } from './spectrum.js';
export type { TrialEnd } from './common.js';
export { buildOffloadReport, formatOffloadReport, STAGES, type OffloadReport, type OffloadConditionReport, type Stage } from './offload.js';

export type TrialReport = SpectrumReport | OffloadReport;

export function writeReport(dir: string, report: TrialReport): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'report.json');
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}

export function formatReport(r: TrialReport): string {
  return r.kind === 'offload' ? formatOffloadReport(r) : formatSpectrumReport(r);
}
