// The HTML page alone, in headless Chromium: a chart whose data is missing shows no ink of its
// colour (so the "every chart drew data" check can fail), names from a rig cannot break out of
// the page's scripts, and the page needs nothing from the network.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PALETTE, renderHtml, spectrumSeriesFromRecords } from '../harness/report/html/index.js';
import { openReport } from './helpers/browser.js';

const ops = ['op-a', '</script><script>window.pwned=1</script>'];
const records = [1, 2, 3, 4].map((epoch) => ({
  epoch,
  jain: 0.5 + epoch / 10,
  operators: [
    { operator: ops[0], grantMHz: 10 + epoch, throughputMbps: 30 + epoch, balanceTokens: 100 - epoch },
    // the second operator's throughput is missing: its line must not be drawn
    { operator: ops[1], grantMHz: 20 - epoch, throughputMbps: Number.NaN, balanceTokens: 100 + epoch },
  ],
}));

it('draws what is there, nothing where data is missing, and names cannot inject script', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ranlab-html-')), 'report.html');
  const report = { kind: 'spectrum-sharing', trialId: 't-html', rig: 'twin', policy: 'ledger', bandMHz: 40, operators: ops.map((name) => ({ name })) };
  writeFileSync(file, renderHtml([{ report, series: spectrumSeriesFromRecords(ops, records) }], 'ranlab trial t-html'));
  const { browser, page, errors, canvases } = await openReport(file);
  try {
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    const byId = (n: number) => canvases[n]!.ink;
    // canvases in order: throughput, grant, balance, Jain
    expect(canvases).toHaveLength(4);
    expect(byId(0)[PALETTE[0]!]).toBeGreaterThan(40);
    expect(byId(0)[PALETTE[1]!]).toBeLessThan(5);
    for (const n of [1, 2]) for (const c of [PALETTE[0]!, PALETTE[1]!]) expect(byId(n)[c]).toBeGreaterThan(40);
    expect(await page.$eval('h2', (h) => h.textContent)).toContain('t-html');
  } finally {
    await browser.close();
  }
});
