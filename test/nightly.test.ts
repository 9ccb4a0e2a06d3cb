// Issue 13's "done when", through real processes: `ranlab nightly` as its own process runs a
// suite (twin spectrum with the ledger, twin spectrum random, twin offload) against a real influxd and dev
// chain; its JUnit file validates against junit-10.xsd; a deliberately strict criterion makes
// it exit 1 naming the failing case with its measured value; report.html and `ranlab compare`
// open in headless Chromium with no console errors and every chart drew its data.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport } from './helpers/browser.js';
import { prepareRig, runCli, startTrialEnv, type TrialEnv } from './helpers/rigenv.js';

const XSD = join(import.meta.dirname, 'fixtures', 'junit', 'junit-10.xsd');
let env: TrialEnv;
let keys: Record<string, string> = {};

beforeAll(async () => {
  env = await startTrialEnv();
});
afterAll(async () => {
  await env?.stop();
});

/**
 * rigs/twin-offload.yaml at LoadGen's full minimums (10 s, 1,000 queries) kept short: one UE at
 * 100 queries/s and a fast UE (slowdown 2), two conditions; points to the test's influxd.
 */
function offloadRig(name: string): string {
  const rig = parse(readFileSync('rigs/twin-offload.yaml', 'utf8')) as { name: string; offload: Record<string, unknown> & { loadgen: Record<string, unknown>; policies: string[] }; influx: unknown };
  rig.name = name;
  rig.offload.loadgen = { ...rig.offload.loadgen, rateHz: 100 };
  rig.offload.ues = ['ue-1'];
  rig.offload.ueSlowdown = 2;
  rig.offload.policies = ['planner', 'all-local'];
  rig.influx = { url: env.influx.url, database: 'ranlab' };
  const path = join(env.dir, `${name}.yaml`);
  writeFileSync(path, stringify(rig));
  return path;
}

async function suite(name: string, runs: Record<string, unknown>[]) {
  // A run naming its own rig (offload) keeps it; the spectrum runs get a copy of rigs/twin.yaml on the test's chain.
  const rigs = await Promise.all(
    runs.map((r, i) => (typeof r.rig === 'string' ? { path: r.rig, env: {} as Record<string, string> } : prepareRig(env, 'rigs/twin.yaml', `${name}${i}`, { epochMs: 250 }))),
  );
  // One process runs every rig: each rig's operators get key variables of their own.
  keys = {};
  rigs.forEach((r, i) => {
    let text = readFileSync(r.path, 'utf8');
    for (const [k, v] of Object.entries(r.env)) {
      text = text.replaceAll(k, `${k}_${i}`);
      keys[`${k}_${i}`] = v;
    }
    writeFileSync(r.path, text);
  });
  const file = join(env.dir, `${name}.yaml`);
  writeFileSync(file, stringify({ name, lockTimeoutS: 30, runs: runs.map((r, i) => (r.kind === 'offload' ? { ...r, rig: rigs[i]!.path } : { rig: rigs[i]!.path, epochs: 4, epochMs: 250, ...r })) }));
  const results = mkdtempSync(join(env.dir, 'results-'));
  const junit = join(results, 'junit.xml');
  const run = await runCli(['nightly', file, '--results', results, '--junit', junit, '--lock-dir', join(env.dir, 'locks'), '--json'], keys);
  return { run, results, junit, summary: run.exitCode !== null && run.stdout ? (JSON.parse(run.stdout) as { exitCode: number; runs: { name: string; trialId: string; exitCode: number; htmlPath: string }[] }) : null };
}

const xmllint = (file: string) => execa('xmllint', ['--noout', '--schema', XSD, file], { reject: false, all: true });

describe('ranlab nightly', () => {
  let pass: Awaited<ReturnType<typeof suite>>;
  let strict: Awaited<ReturnType<typeof suite>>;
  beforeAll(async () => {
    const fair = { completed: true, allPointsWritten: true, cellsOffAtTeardown: true };
    pass = await suite('pass', [
      { name: 'ledger', policy: 'ledger', acceptance: { ...fair, spectrum: { minFairness: 0.99, convergedByEpoch: 4, supplyConserved: true } } },
      { name: 'random', policy: 'random', seed: 11, acceptance: fair },
      { name: 'offload', kind: 'offload', rig: offloadRig('nightly-offload'), acceptance: { ...fair, offload: { maxP99Ms: 60_000, metMinimums: true } } },
    ]);
    // Random shares at random places: two epochs with every grant within 0.1 % of equal do not happen.
    strict = await suite('strict', [
      { name: 'ledger', policy: 'ledger', acceptance: { spectrum: { minFairness: 0.999 } } },
      { name: 'random', policy: 'random', seed: 7, epochs: 8, acceptance: { spectrum: { minFairness: 0.999 } } },
    ]);
  });

  it('runs the suite with one command: exit 0, one JUnit file valid against junit-10.xsd', async () => {
    expect(pass.run.exitCode, pass.run.all).toBe(0);
    expect(pass.summary!.runs.map((r) => [r.name, r.exitCode])).toEqual([['ledger', 0], ['random', 0], ['offload', 0]]);
    const lint = await xmllint(pass.junit);
    expect(lint.exitCode, lint.all).toBe(0);
    const xml = readFileSync(pass.junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="ledger"[^>]* failures="0" errors="0"/);
    for (const c of ['influx', 'ledger', 'gnb-a', 'gnb-b', 'ue-a1', 'spectrum.minFairness', 'spectrum.convergedByEpoch', 'allPointsWritten', 'cellsOffAtTeardown'])
      expect(xml).toContain(`name="${c}"`);
    expect(xml).toMatch(/<testsuite name="offload"[^>]* failures="0" errors="0"/);
    for (const c of ['offload.maxP99Ms', 'offload.metMinimums']) expect(xml).toContain(`name="${c}"`);
    const key = Object.values(keys)[0]!.replace(/^0x/, '');
    expect(xml.toLowerCase()).not.toContain(key.toLowerCase());
  });

  it('a deliberately strict criterion: exit 1, the JUnit file names the failing case with its measured value', async () => {
    expect(strict.run.exitCode, strict.run.all).toBe(1);
    expect(strict.summary!.runs.map((r) => r.exitCode)).toEqual([0, 1]);
    expect(strict.run.stderr).toMatch(/random: exit 1 \(acceptance failed \(1 of 1 criteria\): spectrum\.minFairness: measured 0\.\d+, bound >= 0\.9990\)/);
    const lint = await xmllint(strict.junit);
    expect(lint.exitCode, lint.all).toBe(0);
    const xml = readFileSync(strict.junit, 'utf8');
    const failing = xml.match(/<testsuite name="random"[\s\S]*?<\/testsuite>/)![0];
    expect(failing).toMatch(/<testcase classname="random.acceptance" name="spectrum.minFairness">\s*<failure message="spectrum.minFairness: measured 0\.\d{4}, bound >= 0\.9990"/);
    const measured = Number(/measured (0\.\d+)/.exec(failing)![1]);
    const report = JSON.parse(readFileSync(join(strict.results, strict.summary!.runs[1]!.trialId, 'report.json'), 'utf8')) as { fairness: number };
    expect(measured).toBeCloseTo(report.fairness, 4);
    expect(xml.match(/<testsuite name="ledger"[\s\S]*?<\/testsuite>/)![0]).not.toContain('<failure');
  });

  it('report.html opens in headless Chromium with no console errors and every chart drew data', async () => {
    const html = pass.summary!.runs[0]!.htmlPath;
    const { browser, errors, canvases } = await openReport(html);
    try {
      expect(errors).toEqual([]);
      // throughput, grant, balance (ledger) and Jain's index
      expect(canvases.length).toBe(4);
      for (const c of canvases) for (const [color, px] of Object.entries(c.ink)) expect(px, `${c.id} ${color}`).toBeGreaterThan(40);
    } finally {
      await browser.close();
    }
  });

  it("the offload run's report.html draws the latency distribution, stage p99s and the planner's decisions", async () => {
    const { browser, errors, canvases } = await openReport(pass.summary!.runs[2]!.htmlPath);
    try {
      expect(errors).toEqual([]);
      // e2e distribution, stage p99s, split timeline, predicted vs measured
      expect(canvases.length).toBe(4);
      for (const c of canvases) expect(Object.values(c.ink).some((px) => px > 40), c.id).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('ranlab report rebuilds the page from InfluxDB; ranlab compare puts random and ledger side by side', async () => {
    const [ledger, random] = pass.summary!.runs.map((r) => r.trialId);
    const before = readFileSync(join(pass.results, ledger!, 'report.html'), 'utf8');
    writeFileSync(join(pass.results, ledger!, 'report.html'), 'gone');
    const rebuilt = await runCli(['report', ledger!, '--results', pass.results]);
    expect(rebuilt.exitCode, rebuilt.all).toBe(0);
    const after = readFileSync(join(pass.results, ledger!, 'report.html'), 'utf8');
    // Same figures from InfluxDB as from the runner's records.
    const charts = (s: string) => JSON.parse(/<script type="application\/json" id="charts">([\s\S]*?)<\/script>/.exec(s)![1]!) as unknown;
    expect(charts(after)).toEqual(charts(before));

    const out = join(pass.results, 'compare.html');
    const cmp = await runCli(['compare', random!, ledger!, '--results', pass.results, '--out', out]);
    expect(cmp.exitCode, cmp.all).toBe(0);
    const { browser, errors, canvases } = await openReport(out);
    try {
      expect(errors).toEqual([]);
      // random has no balances (no ledger in some builds) or has them: at least 3 rows x 2 columns
      expect(canvases.length).toBeGreaterThanOrEqual(7);
      for (const c of canvases) for (const [color, px] of Object.entries(c.ink)) expect(px, `${c.id} ${color}`).toBeGreaterThan(40);
    } finally {
      await browser.close();
    }
    expect(readdirSync(pass.results).some((f) => f.startsWith('nightly-pass-'))).toBe(true);
  });
});

describe('ranlab trial --junit', () => {
  it("judges the rig file's acceptance section: a miss exits 1 naming it; the JUnit file validates", async () => {
    const rig = await prepareRig(env, 'rigs/twin.yaml', 'single', { epochMs: 250 });
    // Random sharing at fairness 0.999: one deliberate miss beside criteria that pass.
    writeFileSync(rig.path, readFileSync(rig.path, 'utf8') + stringify({ acceptance: { completed: true, cellsOffAtTeardown: true, spectrum: { minFairness: 0.999 } } }));
    const results = mkdtempSync(join(env.dir, 'results-'));
    const junit = join(results, 'trial.xml');
    const run = await runCli(['trial', rig.path, '--results', results, '--epochs', '8', '--epoch-ms', '250', '--policy', 'random', '--seed', '7', '--junit', junit], rig.env);
    const [id] = readdirSync(results).filter((f) => f.startsWith('single-'));
    const report = JSON.parse(readFileSync(join(results, id!, 'report.json'), 'utf8')) as { fairness: number; acceptance: { name: string; passed: boolean }[] };
    if (report.fairness >= 0.999) return expect.unreachable(`random sharing drew fair shares by chance (fairness ${report.fairness}); rerun`);
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stderr).toContain(`spectrum.minFairness: measured ${report.fairness.toFixed(4)}, bound >= 0.9990`);
    expect(report.acceptance.map((a) => [a.name, a.passed])).toEqual([
      ['completed', true],
      ['cellsOffAtTeardown', true],
      ['spectrum.minFairness', false],
    ]);
    expect((await xmllint(junit)).exitCode).toBe(0);
    expect(readFileSync(junit, 'utf8')).toMatch(/name="spectrum.minFairness">\s*<failure message="spectrum.minFairness: measured 0\.\d{4}, bound >= 0\.9990"/);
  });
});
