// The spectrum game actually played (issue 9, seeds/004 Figs 3 and 4), through real processes:
// the ranlab CLI with its embedded (in-process) ledger, twin base stations and UEs as their own
// processes, and a real influxd. Operators with different strategies; trajectories are read
// back from InfluxDB, where the trial wrote them epoch by epoch.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pipelinedDeviations, settlesWithin } from './helpers/ledger-model.js';
import { queryInflux, startEmbeddedInflux, type EmbeddedInflux } from '../harness/measure/index.js';
import { Supervisor } from '../harness/proc/index.js';
import type { SpectrumReport } from '../harness/report/index.js';
import { jain } from '../harness/trial/index.js';
import { runCli } from './helpers/rigenv.js';

const sup = new Supervisor();
const dir = mkdtempSync(join(tmpdir(), 'ranlab-ledger-trial-'));
let influx: EmbeddedInflux;
beforeAll(async () => {
  influx = await startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: 'ranlab' });
});
afterAll(async () => {
  await sup.stopAll();
});

interface Row {
  epoch: number;
  operator: string;
  demandUnits: number;
  grantUnits: number;
  usedUnits: number;
  costTokens?: number;
  balanceTokens?: number;
}

async function trial(source: string, name: string, strategies: string[], spectrum: Record<string, unknown>, args: string[]) {
  const rig = parse(readFileSync(source, 'utf8'));
  rig.name = name;
  rig.operators = (rig.operators as { name: string }[]).map((o, i) => ({ name: o.name, account: { generate: true }, strategy: strategies[i] }));
  rig.spectrum = { ...rig.spectrum, ...spectrum };
  rig.ledger = { embedded: true };
  rig.influx = { url: influx.url, database: 'ranlab' };
  rig.trial = { ...rig.trial, kpmPeriodMs: 50, seed: 7 };
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(rig));
  const results = mkdtempSync(join(dir, 'results-'));
  const run = await runCli(['trial', path, '--results', results, ...args]);
  expect(run.exitCode, run.all).toBe(0);
  const [id] = readdirSync(results);
  const report = JSON.parse(readFileSync(join(results, id!, 'report.json'), 'utf8')) as SpectrumReport;
  const raw = await queryInflux(influx.url, 'ranlab', `SELECT * FROM epoch_operator WHERE trial='${report.trialId}'`);
  const rows = raw.map((r) => r as unknown as Row);
  const byEpoch = (op: string) => rows.filter((r) => r.operator === op).sort((a, b) => a.epoch - b.epoch);
  return { run, report, rows, byEpoch };
}

const W = 222; // 40 MHz / 180 kHz
const EPOCH_MS = 200;

describe('two saturated operators started at [0.8, 0.2] (seeds/004 Figs 3 and 4)', () => {
  // c = W x price x epoch / supply is the fraction of the supply spent per epoch. With n = 2 the
  // deviation of each grant from W/n shrinks by |1 - 2c| per epoch: c = 0.25 halves it. W = 222
  // units x 1 token/unit/s x 0.2 s = 44.4 tokens an epoch, so supply = 44.4 / 0.25 = 177.6 tokens.
  const supply = 177.6;
  const c = (W * 1 * (EPOCH_MS / 1000)) / supply;
  const epochs = 16;
  let t: Awaited<ReturnType<typeof trial>>;
  beforeAll(async () => {
    t = await trial('rigs/twin.yaml', 'conv2', ['saturated', 'saturated'], { supplyTokens: supply, priceTokensPerUnitSecond: 1, epochMs: EPOCH_MS, initialBalances: [0.8, 0.2] }, [
      '--epochs',
      String(epochs),
    ]);
  }, 120_000);

  test('every grant comes within 2 % of W/n from the epoch the report states, before the derived bound; the trajectory contracts', () => {
    const r = t.report;
    // Deviation starts at |0.8 W - W/2| / (W/2) = 0.6. Each epoch is decided while the one before
    // runs (before its settlement), so the deviation follows the pipelined model (it contracts by
    // sqrt(c / (1 - c)) per epoch, turning); it is below 2 % from the model's epoch, plus one for
    // integer rounding and for the few units at the band's edges the twin cells do not cover.
    const model = pipelinedDeviations(2, c, [0.8, 0.2], epochs);
    const bound = settlesWithin(model, 0.02) + 1;
    console.info(`convergence: c = ${c}, model ${model.map((d) => d.toFixed(3)).join(' ')}, bound epoch ${bound}; report: converged at epoch ${r.convergedAtEpoch}`);
    expect(r.convergedAtEpoch).not.toBeNull();
    expect(r.convergedAtEpoch!).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThanOrEqual(150);
    const a = t.byEpoch('op-a').map((x) => x.grantUnits);
    const b = t.byEpoch('op-b').map((x) => x.grantUnits);
    expect(a).toHaveLength(epochs);
    expect(a[0]).toBeGreaterThanOrEqual(Math.floor(0.8 * W) - 1); // starts where the balances put it
    const dev = a.map((g) => Math.abs(g - W / 2) / (W / 2));
    for (let k = 1; k < epochs; k++) {
      // Following the model, until the rounding floor.
      expect(dev[k]!).toBeLessThanOrEqual(Math.max(model[k]! * 1.3, 0.03));
      expect(a[k]! + b[k]!).toBeLessThanOrEqual(W);
    }
    // Balances converge too (Fig. 4): op-a's falls from 0.8 of the supply toward half.
    const bal = t.byEpoch('op-a').map((x) => x.balanceTokens!);
    expect(bal[0]!).toBeLessThan(0.8 * supply);
    expect(Math.abs(bal.at(-1)! - supply / 2) / (supply / 2)).toBeLessThan(0.05);
  });

  test("Jain's index over the first quarter is clearly below 1, and the supply is conserved exactly", () => {
    const q = Math.ceil(epochs / 4);
    const firstQuarter = Array.from({ length: q }, (_, k) => jain([t.byEpoch('op-a')[k]!.grantUnits, t.byEpoch('op-b')[k]!.grantUnits]));
    const meanJ = firstQuarter.reduce((x, y) => x + y, 0) / q;
    console.info(`Jain over the first quarter: ${meanJ.toFixed(3)} (${firstQuarter.map((j) => j.toFixed(3)).join(', ')}); last quarter ${t.report.fairness}`);
    expect(meanJ).toBeLessThan(0.95);
    expect(t.report.fairness!).toBeGreaterThan(0.999);
    expect(t.report.supply).toMatchObject({ initialMicro: '177600000', finalMicro: '177600000', conserved: true });
  });
});

describe('one greedy and three bursty operators', () => {
  const spectrum = { supplyTokens: 4000, priceTokensPerUnitSecond: 1, epochMs: EPOCH_MS };
  const epochs = 24;
  let ledger: Awaited<ReturnType<typeof trial>>;
  let equal: Awaited<ReturnType<typeof trial>>;
  beforeAll(async () => {
    const strategies = ['greedy', 'bursty', 'bursty', 'bursty'];
    ledger = await trial('rigs/twin-4op.yaml', 'greedy4', strategies, spectrum, ['--epochs', String(epochs)]);
    equal = await trial('rigs/twin-4op.yaml', 'greedy4eq', strategies, spectrum, ['--epochs', String(epochs), '--policy', 'equal']);
  }, 240_000);

  test('each bursty operator gets its demand up to W/n when it asks; the greedy one takes only what is left, and pays', () => {
    const fair = Math.floor(W / 4);
    const half = epochs / 2;
    let asks = 0;
    for (const op of ['op-b', 'op-c', 'op-d'])
      for (const x of ledger.byEpoch(op).slice(half))
        if (x.demandUnits > 0) {
          asks++;
          expect(x.grantUnits, `${op} epoch ${x.epoch}`).toBeGreaterThanOrEqual(Math.min(x.demandUnits, fair));
        }
    expect(asks).toBeGreaterThan(5); // the seeded process does ask
    const greedy = ledger.byEpoch('op-a');
    for (const g of greedy) {
      const others = ['op-b', 'op-c', 'op-d'].reduce((s, op) => s + ledger.byEpoch(op).find((x) => x.epoch === g.epoch)!.grantUnits, 0);
      expect(g.grantUnits + others).toBeLessThanOrEqual(W);
      if (g.grantUnits > 0) expect(g.costTokens!).toBeGreaterThan(0);
    }
    // Its balance does not grow: it pays for all it takes, and gets a third of what the others spend.
    expect(greedy.at(-1)!.balanceTokens!).toBeLessThanOrEqual(1000);
    console.info(
      `greedy+3 bursty, ledger: mean grants ${ledger.report.operators.map((o) => `${o.name} ${o.meanGrantUnits.toFixed(1)}`).join(', ')}; final balances ${ledger.report.operators.map((o) => o.finalBalance!.toFixed(1)).join(', ')}`,
    );
  });

  test('under equal the band the bursty operators leave idle is wasted: utilisation is clearly lower; equal shows no balances', () => {
    console.info(`utilisation: ledger ${(ledger.report.utilisation * 100).toFixed(1)} %, equal ${(equal.report.utilisation * 100).toFixed(1)} %`);
    expect(ledger.report.utilisation).toBeGreaterThan(equal.report.utilisation + 0.2);
    expect(equal.report.supply).toBeNull();
    expect(equal.report.operators.every((o) => o.finalBalance === null)).toBe(true);
    expect(equal.rows.every((r) => r.balanceTokens == null && r.costTokens == null)).toBe(true); // no such field written
  });
});

describe('a hoarder against a fair operator', () => {
  test('the hoarder pays a holding charge on all it holds and ends below the fair operator', async () => {
    // What the others spend is shared among everyone else, so the fair operator's spending feeds
    // the hoarder: the hoarder ends below it only when its holding charge on what it holds exceeds
    // what the fair one spends (H x g_hoarder > u_fair). With two bursty operators leaving part of
    // the band, the hoarder holds about twice W/n, so a holding charge of 80 % makes hoarding lose.
    const t = await trial('rigs/twin-4op.yaml', 'hoard4', ['hoarder', 'fair', 'bursty', 'bursty'], { supplyTokens: 4000, epochMs: EPOCH_MS, holdingChargePct: 80 }, ['--epochs', '16']);
    const [hoarder, fair] = t.report.operators;
    console.info(`hoarder vs fair: mean grant ${hoarder!.meanGrantUnits.toFixed(1)} vs ${fair!.meanGrantUnits.toFixed(1)} units, used ${hoarder!.meanUsedUnits.toFixed(1)} vs ${fair!.meanUsedUnits.toFixed(1)}, final balance ${hoarder!.finalBalance} vs ${fair!.finalBalance}`);
    expect(hoarder!.meanUsedUnits).toBeLessThan(1);
    expect(hoarder!.finalBalance!).toBeLessThan(fair!.finalBalance!);
    expect(t.report.supply!.conserved).toBe(true);
  }, 120_000);
});

describe('fairness lock-out (seeds/001) in a trial', () => {
  test('a greedy operator above its share over the window is denied grants for the lock-out epochs; the report lists it', async () => {
    const t = await trial(
      'rigs/twin.yaml',
      'lockout2',
      ['greedy', 'bursty'],
      { supplyTokens: 4000, epochMs: EPOCH_MS, fairness: { windowEpochs: 2, maxShare: 0.7, lockoutEpochs: 2 } },
      ['--epochs', '10'],
    );
    // The greedy operator takes all the bursty one leaves: over two epochs with the bursty one off
    // in either, more than 70 % of 2W. The bursty one never holds more than W/2.
    expect(t.report.lockOuts.length).toBeGreaterThan(0);
    expect(t.report.lockOuts.every((l) => l.operator === 'op-a')).toBe(true);
    const first = t.report.lockOuts[0]!;
    expect(first.operator).toBe('op-a');
    const greedy = t.byEpoch('op-a');
    for (let e = first.epoch + 1; e <= first.untilEpoch && e <= 10; e++) expect(greedy[e - 1]!.grantUnits, `epoch ${e}`).toBe(0);
    // The other operator still gets what it asks for meanwhile, and nothing more.
    for (let e = first.epoch + 1; e <= first.untilEpoch && e <= 10; e++) expect(t.byEpoch('op-b')[e - 1]!.grantUnits).toBe(t.byEpoch('op-b')[e - 1]!.demandUnits);
    console.info(`lock-outs: ${JSON.stringify(t.report.lockOuts)}`);
  }, 120_000);
});
