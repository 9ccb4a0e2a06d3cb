// Screenshot of an HTML report (ranlab report / compare) in Debian's headless Chromium:
//   node scripts/report-screenshot.mjs <report.html> <out.png> [width] [--charts]
// --charts: only the charts (no summary tables).
// The README's docs/compare-random-ledger.png was made this way.
import puppeteer from 'puppeteer-core';

const args = process.argv.slice(2).filter((a) => a !== '--charts');
const chartsOnly = process.argv.includes('--charts');
const [html, out, width = '1000'] = args;
if (!html || !out) {
  console.error('usage: node scripts/report-screenshot.mjs <report.html> <out.png> [width]');
  process.exit(2);
}
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: Number(width), height: 800 });
  await page.goto(`file://${html}`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-charts-drawn]');
  if (chartsOnly) await (await page.$('.charts')).screenshot({ path: out });
  else await page.screenshot({ path: out, fullPage: true });
} finally {
  await browser.close();
}
