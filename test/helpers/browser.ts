// Opening an HTML report in Debian's headless Chromium through puppeteer-core: console errors
// and page errors collected, and per canvas the pixels drawn in each dataset's colour inside
// the chart area (so a chart with axes and legend but no data line counts as empty).
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export interface CanvasInk {
  id: string;
  /** Per dataset colour (#rrggbb): pixels within a small distance of it. */
  ink: Record<string, number>;
}

export interface OpenedReport {
  browser: Browser;
  page: Page;
  errors: string[];
  canvases: CanvasInk[];
}

export async function openReport(file: string, viewport = { width: 1200, height: 900 }): Promise<OpenedReport> {
  const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
  try {
    const page = await browser.newPage();
    await page.setViewport(viewport);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-drawn]', { timeout: 10_000 });
    const canvases = await page.$$eval('canvas', (els) =>
      els.map((el) => {
        const c = el as HTMLCanvasElement;
        const colors = (c.dataset.colors ?? '').split(',').filter(Boolean);
        // Only the chart area: legend swatches have the datasets' colours too.
        const scale = c.width / c.clientWidth;
        const [l, t, r, b] = (c.dataset.area ?? '').split(',').map((v) => Number(v) * scale) as [number, number, number, number];
        const { data } = c.getContext('2d')!.getImageData(Math.floor(l), Math.floor(t), Math.ceil(r - l), Math.ceil(b - t));
        const ink: Record<string, number> = {};
        const rgb = colors.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
        colors.forEach((h) => (ink[h] = 0));
        for (let p = 0; p < data.length; p += 4) {
          if (data[p + 3]! < 200) continue;
          rgb.forEach(([r, g, b], k) => {
            if (Math.abs(data[p]! - r!) + Math.abs(data[p + 1]! - g!) + Math.abs(data[p + 2]! - b!) < 30) ink[colors[k]!]!++;
          });
        }
        return { id: c.id, ink };
      }),
    );
    return { browser, page, errors, canvases };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
