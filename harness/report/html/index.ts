// The HTML report: results/<trial-id>/report.html, and comparisons of trials side by side.
import './spectrum.js';
export { renderHtml } from './page.js';
export { registerCharts, chartsFor, PALETTE, SINGLE, type ChartSpec, type ChartDataset, type TrialData, type SavedReport } from './types.js';
export { spectrumSeriesFromRecords, spectrumSeriesFromInflux, spectrumCharts, type SpectrumSeries, type SpectrumOperatorRow } from './spectrum.js';
export { loadTrialData, writeTrialHtml } from './load.js';
