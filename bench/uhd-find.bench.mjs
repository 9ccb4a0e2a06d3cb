#!/usr/bin/env node
// UHD find/open-failure cycles against the real libuhd with no USRP attached: timing per call
// and resident memory over many cycles (the leak check the test suite runs in a shorter form).
// Needs the build (npm run build) for dist/native.
//
//   node bench/uhd-find.bench.mjs [cycles=10000] [args=type=b200]
//
// Prints one JSON object: cycles, args, ms per find / per failed open (mean, p50, p99, max),
// total seconds, RSS after warm-up and at the end (MiB), RSS every 10% of the run, and the
// memory figure as a ratio against the baseline measured in the same run: rssEnd / rssWarm
// (1.00 = flat).
import { findUsrps, openUsrp, uhdVersion } from '../dist/native/index.js';

const cycles = Number(process.argv[2] ?? 10_000);
const args = process.argv[3] ?? 'type=b200';
const MB = 1024 * 1024;

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { mean: +mean.toFixed(2), p50: +at(0.5).toFixed(2), p99: +at(0.99).toFixed(2), max: +s[s.length - 1].toFixed(2) };
}

async function cycle(findMs, openMs) {
  let t = performance.now();
  const found = await findUsrps(args);
  findMs?.push(performance.now() - t);
  if (found.length > 0) throw new Error(`a device matched ${args}: run this with no USRP attached`);
  t = performance.now();
  try {
    const u = await openUsrp(args);
    await u.close();
    throw new Error('openUsrp unexpectedly succeeded');
  } catch (err) {
    if (err?.uhdError !== 'KEY') throw err;
  }
  openMs?.push(performance.now() - t);
}

for (let i = 0; i < Math.min(200, cycles); i++) await cycle();
globalThis.gc?.();
const rssWarm = process.memoryUsage().rss;
const findMs = [];
const openMs = [];
const rssTrace = [];
const t0 = performance.now();
for (let i = 0; i < cycles; i++) {
  await cycle(findMs, openMs);
  if ((i + 1) % Math.max(1, Math.floor(cycles / 10)) === 0) rssTrace.push(+(process.memoryUsage().rss / MB).toFixed(1));
}
const totalS = (performance.now() - t0) / 1000;
globalThis.gc?.();
const rssEnd = process.memoryUsage().rss;
console.log(
  JSON.stringify({
    uhd: await uhdVersion(),
    args,
    cycles,
    totalS: +totalS.toFixed(1),
    findMs: stats(findMs),
    openFailMs: stats(openMs),
    rssWarmMiB: +(rssWarm / MB).toFixed(1),
    rssEndMiB: +(rssEnd / MB).toFixed(1),
    rssRatio: +(rssEnd / rssWarm).toFixed(3),
    rssTraceMiB: rssTrace,
  }),
);
