// The HTML report: results/<trial-id>/report.html, and comparisons of trials side by side.
import './spectrum.js';
export { renderHtml } from './page.js';
export { registerCharts, chartsFor, registerRecordsSeries, seriesFromRecords, PALETTE, SINGLE, type ChartSpec, type ChartDataset, type TrialData, type SavedReport } from './types.js';
export { spectrumSeriesFromRecords, spectrumSeriesFromInflux, spectrumCharts, type SpectrumSeries, type SpectrumOperatorRow } from './spectrum.js';
export { loadTrialData, writeTrialHtml, registerSeriesSource } from './load.js';
