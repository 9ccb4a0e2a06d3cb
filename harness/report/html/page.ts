// One self-contained HTML page (opens offline): Chart.js inlined from node_modules, the chart
// configurations as JSON, a summary table per trial. One trial is a report; two side by side
// are a comparison (random against ledger: seeds/004 Figs 2 and 3).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chartsFor, type ChartSpec, type TrialData } from './types.js';

let chartJs: string | undefined;
function chartLibrary(): string {
  if (chartJs === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Inside <script>: nothing may close the element early. */
const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const num = (v: unknown, d = 4) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(d)) : v === null || v === undefined ? '-' : String(v));

/** An offload report's minimums, and whether the run was short (below LoadGen's): never silently. */
function offloadMinimums(r: Record<string, unknown>): string {
  const m = r.minimums as { minDurationMs?: number; minQueries?: number } | undefined;
  const min = m ? `${num(m.minDurationMs)} ms and ${num(m.minQueries)} queries` : '-';
  return r.shortConditions === true ? `SHORT (--short-conditions): below the minimums of ${min}; no condition meets them` : `at least ${min} each`;
}

function summary(t: TrialData): string {
  const r = t.report;
  const spectrum = r.kind === 'spectrum-sharing';
  const facts: [string, unknown][] = [
    ['trial', r.trialId],
    ['rig', r.rig],
    ['kind', r.trialKind ?? r.kind],
    ...(spectrum
      ? ([
          ['policy', r.policy],
          ['epochs', `${num(r.epochs)} / ${num(r.epochsRequested)} x ${num(r.epochMs)} ms`],
          ["Jain's fairness (last quarter)", num(r.fairness)],
          ['converged at epoch', r.convergedAtEpoch ?? 'never'],
        ] as [string, unknown][])
      : ([
          ['model', r.model ?? '-'],
          ['conditions', offloadMinimums(r)],
        ] as [string, unknown][])),
    ['stopped early', r.error ?? 'no'],
  ];
  const ops = Array.isArray(r.operators) ? (r.operators as Record<string, unknown>[]) : [];
  const opRows = ops
    .map((o) => `<tr><td>${esc(String(o.name))}</td><td>${num(o.meanGrantMHz, 2)}</td><td>${num(o.meanThroughputMbps, 1)}</td><td>${num(o.finalBalance, 3)}</td></tr>`)
    .join('');
  const acc = Array.isArray(r.acceptance) ? (r.acceptance as { name: string; passed: boolean; measured: string; bound: string }[]) : [];
  const accRows = acc
    .map((a) => `<tr class="${a.passed ? 'pass' : 'fail'}"><td>${esc(a.name)}</td><td>${a.passed ? 'pass' : 'FAIL'}</td><td>${esc(a.measured)}</td><td>${esc(a.bound)}</td></tr>`)
    .join('');
  // Offload: each condition's end-to-end p99 over all its UEs' requests, fastest first.
  const cmp = Array.isArray(r.comparison) ? (r.comparison as { condition: string; p99Ms: number; requests: number }[]) : [];
  const cmpRows = cmp.map((c) => `<tr><td>${esc(c.condition)}</td><td>${num(c.p99Ms, 1)}</td><td>${num(c.requests)}</td></tr>`).join('');
  return `<section class="summary"><h2>${esc(String(r.policy ?? r.kind))}: ${esc(r.trialId)}</h2>
<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('')}</table>
${opRows ? `<table><tr><th>operator</th><th>mean grant MHz</th><th>mean thp Mbit/s</th><th>final balance</th></tr>${opRows}</table>` : ''}
${cmpRows ? `<table><tr><th>condition</th><th>p99 end to end (ms)</th><th>requests</th></tr>${cmpRows}</table>` : ''}
${accRows ? `<table><tr><th>criterion</th><th>result</th><th>measured</th><th>bound</th></tr>${accRows}</table>` : ''}</section>`;
}

export function renderHtml(trials: TrialData[], title: string): string {
  const charts = trials.map((t) => chartsFor(t));
  // Rows: every chart id any trial has, in the order of the trial with the most charts; a
  // trial without one (no balances without the ledger) leaves a gap.
  const fullest = charts.reduce((a, b) => (b.length > a.length ? b : a), []);
  const ids = [...new Set([...fullest, ...charts.flat()].map((c) => c.id))];
  const cells: { canvasId: string; spec: ChartSpec | null }[][] = ids.map((id, row) =>
    charts.map((cs, col) => ({ canvasId: `c${row}-${col}`, spec: cs.find((c) => c.id === id) ?? null })),
  );
  // Side by side, one row shares its y range, so two trials compare by eye.
  for (const row of cells) {
    const specs = row.map((c) => c.spec).filter((s): s is ChartSpec => s !== null);
    const values = specs.flatMap((s) => s.datasets.flatMap((d) => d.data.filter((v): v is number => v !== null)));
    if (specs.length < 2 || !values.length) continue;
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    for (const s of specs) {
      s.yMin ??= lo;
      s.yMax = Math.max(s.yMax ?? hi, hi);
    }
  }
  const configs = cells.flat().filter((c) => c.spec).map((c) => ({ canvasId: c.canvasId, spec: c.spec! }));
  const cols = trials.length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
.grid{display:grid;grid-template-columns:repeat(${cols},minmax(0,1fr));gap:12px}
.chart{border:1px solid #ddd;padding:6px;height:240px;position:relative}
table{border-collapse:collapse;margin:6px 0;width:100%;table-layout:fixed}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;overflow-wrap:anywhere}
tr.fail td{color:#b00020;font-weight:bold}h2,h3{font-size:15px}h3{margin:8px 0 4px}
</style></head><body>
<h1>${esc(title)}</h1>
<div class="grid">${trials.map(summary).join('')}</div>
<div class="charts">
<div class="grid">${trials.map((t) => `<h3>${esc(String(t.report.policy ?? t.report.kind))}: ${esc(t.report.trialId)}</h3>`).join('')}</div>
${cells.map((row) => `<div class="grid">${row.map((c) => `<div class="chart">${c.spec ? `<canvas id="${c.canvasId}" data-colors="${c.spec.datasets.map((d) => d.color).join(',')}"></canvas>` : ''}</div>`).join('')}</div>`).join('\n')}
</div>
<script>${scriptSafe(chartLibrary())}</script>
<script type="application/json" id="charts">${scriptSafe(JSON.stringify(configs))}</script>
<script>
(function(){
  var configs = JSON.parse(document.getElementById('charts').textContent);
  // The first dataset is drawn on top: later ones wider, so equal figures (the ledger's equal
  // grants) stay visible as a line inside a line.
  function width(i){ return 2 + 2.5 * Math.min(i, 3); }
  configs.forEach(function(c){
    var s = c.spec;
    var canvas = document.getElementById(c.canvasId);
    var chart = new Chart(canvas, {
      type: 'line',
      data: { labels: s.labels, datasets: s.datasets.map(function(d, i){ return { label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color, borderWidth: width(i), pointRadius: 2, spanGaps: true }; }) },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { title: { display: true, text: s.title } },
        scales: { x: { title: { display: true, text: s.xTitle } }, y: { min: s.yMin === 0 ? 0 : undefined, suggestedMin: s.yMin, suggestedMax: s.yMax, grace: '5%', title: { display: true, text: s.yTitle } } } }
    });
    // Where the data is drawn (CSS pixels), apart from title, legend and axes: checks look there.
    var area = chart.chartArea;
    canvas.setAttribute('data-area', [area.left, area.top, area.right, area.bottom].join(','));
  });
  document.body.setAttribute('data-charts-drawn', String(configs.length));
})();
</script>
</body></html>
`;
}
