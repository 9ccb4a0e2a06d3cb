// `ranlab trial` of the offload kind through real processes: the CLI, its twin base station,
// its edge agent, a real influxd. Conditions are shortened with --short-conditions (the rig
// cannot lower LoadGen's minimums), and the report marks every condition as not meeting them.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { computePayment } from '../harness/ledger/index.js';
import { nearestRank } from '../harness/offload/index.js';
import type { OffloadReport } from '../harness/report/index.js';
import { processesUnder } from './helpers/procs.js';
import { influxQuery, runCli, type TrialEnv, useTrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
useTrialEnv((e) => (env = e));

type RigDoc = Record<string, Record<string, unknown>> & { offload: Record<string, unknown> };

function rigFile(name: string, change: (r: RigDoc) => void): string {
  const rig = parse(readFileSync('rigs/twin-offload.yaml', 'utf8')) as RigDoc;
  (rig as Record<string, unknown>).name = name;
  (rig as Record<string, unknown>).influx = { url: env.influx.url, database: 'ranlab' };
  change(rig);
  const path = join(env.dir, `${name}.yaml`);
  writeFileSync(path, stringify(rig));
  return path;
}

const e2eOf = async (trial: string, condition: string) =>
  (await influxQuery(env, `SELECT e2eMs, ue FROM offload_request WHERE trial='${trial}' AND condition='${condition}'`)).map((r) => ({ e2e: r.e2eMs as number, ue: r.ue as string, atMs: Number(r.time as bigint) / 1e6 }));

describe('ranlab trial (offload kind)', () => {
  it('runs every condition past its (short) minimums, marked as below LoadGen; the report p99 is the nearest-rank p99 of the InfluxDB points; the planner beats all-local and all-edge', async () => {
    const results = env.resultsDir();
    // The documented condition's UEs and slowdown at the rate the shipped rig had before full minimums (12/s: nothing but all-edge saturates).
    const rig = rigFile('off-a', (r) => {
      r.offload.loadgen = { scenario: 'server', rateHz: 12, seed: 1 };
    });
    const run = await runCli(['trial', rig, '--results', results, '--json', '--short-conditions', '2500/25']);
    expect(run.exitCode, run.all).toBe(0);
    const report = JSON.parse(run.stdout) as OffloadReport;
    expect(report.kind).toBe('offload');
    expect(report.completed).toBe(true);
    // A real cgroup quota (1/30 core) where this host has a writable cpu hierarchy, else the stated factor.
    expect(report.ueCpuLimit).toMatch(/cgroup v[12] CPU quota [\d.]+ cores .*for a UE 30x slower|stated slowdown factor 30/);
    expect(report.ueCpuLimit).toMatch(/per-block times measured in each UE's host: ue-1 [\d./]+ ms; ue-2/);
    expect(report.shortConditions).toBe(true);
    expect(report.minimums).toEqual({ minDurationMs: 10_000, minQueries: 1000 });
    expect(report.conditions).toHaveLength(6); // 3 policies x 2 UEs
    for (const c of report.conditions) {
      expect(c.metMinimums, `${c.condition} ${c.ue}`).toBe(false);
      expect(c.requests).toBeGreaterThanOrEqual(25);
      expect(c.durationMs).toBeGreaterThanOrEqual(2500);
    }
    for (const cmp of report.comparison) {
      const pts = await e2eOf(report.trialId, cmp.condition);
      expect(pts.length).toBe(cmp.requests);
      expect(nearestRank(pts.map((p) => p.e2e), 99)).toBe(cmp.p99Ms);
    }
    for (const c of report.conditions) {
      const pts = (await e2eOf(report.trialId, c.condition)).filter((p) => p.ue === c.ue);
      expect(nearestRank(pts.map((p) => p.e2e), 99)).toBe(c.stages.e2eMs.p99);
    }
    // The documented condition (rigs/twin-offload.yaml, README): the planner against both baselines, same run.
    const p99 = Object.fromEntries(report.comparison.map((c) => [c.condition, c.p99Ms]));
    expect(p99.planner).toBeLessThan(p99['all-local']!);
    expect(p99.planner).toBeLessThan(p99['all-edge']!);
    expect(report.decisions.filter((d) => d.condition === 'planner').every((d) => d.measuredP99Ms !== null)).toBe(true);
    // The compute market: one session per condition, settled at the edge's measured compute time x price, exactly.
    const market = report.market!;
    expect(market.settlements.map((s) => s.condition)).toEqual(['planner', 'all-local', 'all-edge']);
    let paid = 0n;
    for (const s of market.settlements) {
      expect(BigInt(s.paidMicro)).toBe(computePayment(BigInt(s.computeMicros), BigInt(s.priceMicroPerSecond), BigInt(s.depositMicro)));
      expect(BigInt(s.paidMicro) + BigInt(s.refundMicro)).toBe(BigInt(s.depositMicro));
      const rows = await influxQuery(env, `SELECT sum(edgeComputeMs) AS ms, count(edgeComputeMs) AS n FROM offload_request WHERE trial='${report.trialId}' AND condition='${s.condition}'`);
      // The edge's own compute total for the condition is the sum of what its replies carried.
      expect(Math.abs(Number(s.computeMicros) - (rows[0]!.ms as number) * 1000)).toBeLessThanOrEqual((rows[0]!.n as number) + 1);
      paid += BigInt(s.paidMicro);
    }
    expect(market.settlements.find((s) => s.condition === 'all-local')!.paidMicro).toBe('0');
    // On the ledger's chain, in its LabToken: op-a (the UEs' operator) paid op-b (the edge's owner), each starting at half the supply.
    expect([market.payer, market.owner]).toEqual(['op-a', 'op-b']);
    const half = BigInt(market.supply!.initialMicro) / 2n;
    expect(BigInt(market.ownerMicro) - half).toBe(paid);
    expect(half - BigInt(market.payerMicro)).toBe(paid);
    expect(market.escrowMicro).toBe('0');
    expect(market.supply!.conserved).toBe(true);
    expect(market.supply!.finalMicro).toBe(market.supply!.initialMicro);
  }, 240_000);

  it('an edge agent stalled for one second shows in the latency of the requests scheduled during the stall', async () => {
    const results = env.resultsDir();
    const rig = rigFile('off-stall', (r) => {
      r.offload.policies = ['fixed:1'];
      r.offload.ues = ['ue-1'];
      r.offload.loadgen = { scenario: 'server', rateHz: 20, seed: 2 };
    });
    const run = runCli(['trial', rig, '--results', results, '--json', '--short-conditions', '5000/40']);
    // Wait until requests flow (points in InfluxDB), then stop the edge agent for 1 s.
    let trial = '';
    for (let i = 0; i < 300 && !trial; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const id = readdirSync(results)[0];
      if (!id) continue;
      const [row] = await influxQuery(env, `SELECT count(e2eMs) AS c FROM offload_request WHERE trial='${id}'`).catch(() => []);
      if (row && (row.c as number) >= 10) trial = id;
    }
    expect(trial).not.toBe('');
    const agents = processesUnder(join(results, trial, 'edge')).filter((p) => p.cmdline.includes('edge-agent'));
    expect(agents).toHaveLength(1);
    const stallStart = Date.now();
    process.kill(agents[0]!.pid, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(agents[0]!.pid, 'SIGCONT');
    const stallEnd = Date.now();
    const done = await run;
    expect(done.exitCode, done.all).toBe(0);
    const pts = await e2eOf(trial, 'fixed-1');
    const during = pts.filter((p) => {
      return p.atMs >= stallStart && p.atMs < stallEnd - 100;
    });
    expect(during.length).toBeGreaterThanOrEqual(5);
    // Each waited at least until the edge came back (timed from its scheduled time).
    for (const p of during) expect(p.e2e).toBeGreaterThanOrEqual(stallEnd - p.atMs - 20);
    const before = pts.filter((p) => p.atMs < stallStart - 300).map((p) => p.e2e);
    expect(Math.max(...during.map((p) => p.e2e))).toBeGreaterThan(800);
    expect(nearestRank(before, 50)).toBeLessThan(300);
  }, 240_000);

  it('refuses minimums below LoadGen\'s in the rig, naming the field and the minimum', async () => {
    const rig = rigFile('off-low', (r) => {
      r.offload.loadgen = { scenario: 'server', rateHz: 12, minDurationMs: 2500, minQueries: 120, seed: 1 };
    });
    const v = await runCli(['validate', rig]);
    expect(v.exitCode).toBe(2);
    expect(v.all).toMatch(/offload\.loadgen\.minDurationMs: at least 10000 ms \(LoadGen's minimum/);
    expect(v.all).toMatch(/offload\.loadgen\.minQueries: at least 1000 queries \(LoadGen's minimum; a rig may raise it, never lower it/);
    // The compute market pays the edge host's owner: another operator of the ledger than the UEs'.
    const noOwner = await runCli(['validate', rigFile('off-owner', (r) => void ((r as unknown as { edge: unknown[] }).edge = [{ id: 'edge-1' }]))]);
    expect(noOwner.exitCode).toBe(2);
    expect(noOwner.all).toMatch(/edge\[0\]\.owner: the compute market pays the edge host's owner/);
    const self = await runCli(['validate', rigFile('off-self', (r) => void ((r as unknown as { edge: unknown[] }).edge = [{ id: 'edge-1', owner: 'op-a' }]))]);
    expect(self.exitCode).toBe(2);
    expect(self.all).toMatch(/operator op-a would pay itself/);
    const help = await runCli(['trial', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('for tests and smoke runs: below LoadGen minimums, the report marks every condition as not meeting them');
  });

  it('refuses a virtual clock for the offload kind, and --kind offload on a rig without an offload section', async () => {
    const rig = rigFile('off-virtual', (r) => {
      r.trial = { ...r.trial, clock: 'virtual' };
    });
    const v = await runCli(['validate', rig]);
    expect(v.exitCode).toBe(2);
    expect(v.all).toMatch(/runs in real time only: its inference is real compute/);
    const k = await runCli(['trial', 'rigs/twin.yaml', '--kind', 'offload']);
    expect(k.exitCode).toBe(2);
    expect(k.all).toMatch(/--kind offload: rig twin has no offload section/);
  });
});

describe('ranlab trial (combined kind: offload while spectrum sharing moves the grants)', () => {
  it("halving the UE's grant raises its uplink stage, and the planner moves the split to one sending fewer bytes", async () => {
    const results = env.resultsDir();
    const rig = parse(readFileSync('rigs/twin-offload-sharing.yaml', 'utf8')) as RigDoc;
    Object.assign(rig, { name: 'comb-a', influx: { url: env.influx.url, database: 'ranlab' } });
    rig.offload.ues = ['ue-1'];
    // The rig's own rate: its ueSlowdown centres all-local between split 1 at the full and the
    // halved grant for 15/s (the queueing terms move with the rate); LoadGen's minimums shortened.
    rig.offload.loadgen = { scenario: 'server', rateHz: 15, seed: 1 };
    const path = join(env.dir, 'comb-a.yaml');
    writeFileSync(path, stringify(rig));
    const run = await runCli(['trial', path, '--results', results, '--json', '--short-conditions', '8000/40']);
    expect(run.exitCode, run.all).toBe(0);
    const report = JSON.parse(run.stdout) as OffloadReport;
    expect(report.trialKind).toBe('combined');
    expect(report.spectrum?.epochs).toBeGreaterThan(5);
    // The game gave op-a the whole band at times and half of it at others (op-b is bursty).
    const rows = await influxQuery(env, `SELECT uplinkMs, ulKbps FROM offload_request WHERE trial='${report.trialId}' AND condition='fixed-1'`);
    const full = rows.filter((r) => (r.ulKbps as number) > 40_000).map((r) => r.uplinkMs as number);
    const half = rows.filter((r) => (r.ulKbps as number) < 32_000).map((r) => r.uplinkMs as number);
    expect(full.length).toBeGreaterThan(5);
    expect(half.length).toBeGreaterThan(5);
    expect(nearestRank(half, 50)).toBeGreaterThan(nearestRank(full, 50));
    // The planner's timeline: a re-decision on the uplink falling moves to a split sending fewer bytes
    // (one that keeps its split, already at the fewest bytes, is no move).
    const planner = report.decisions.filter((d) => d.condition === 'planner');
    const moves = planner.slice(1).map((d, i) => ({ from: planner[i]!, to: d })).filter((m) => m.to.ulKbps < m.from.ulKbps * 0.8 && m.to.split !== m.from.split);
    expect(moves.length).toBeGreaterThan(0);
    for (const m of moves) expect(report.splitBytes[m.to.split]!).toBeLessThan(report.splitBytes[m.from.split]!);
    expect(planner.every((d) => d.predictedMs > 0)).toBe(true);
    // Compute paid in the spectrum ledger's token on its chain: one supply check over spectrum and compute payments.
    expect(report.market!.settlements.length).toBe(2);
    expect(report.market!.settlements.some((s) => BigInt(s.paidMicro) > 0n)).toBe(true);
    expect(report.spectrum!.supply!.conserved).toBe(true);
    expect(report.market!.supply).toEqual(report.spectrum!.supply);
  }, 240_000);
});
