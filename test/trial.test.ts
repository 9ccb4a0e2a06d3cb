// Issue 2's "done when", through real processes: the ranlab CLI as its own process, twin
// base stations as their own processes (every control over gRPC), a real dev EVM chain and
// a real influxd.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/proc/index.js';
import type { SpectrumReport } from '../harness/report/index.js';
import { onlyProcessUnder, processesUnder, waitNoProcessesUnder } from './helpers/procs.js';
import { contractBalances, influxQuery, prepareRig, runCli, waitForEpochs, type TrialEnv, useTrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
useTrialEnv((e) => (env = e));

function readReport(resultsDir: string): SpectrumReport {
  const [id] = readdirSync(resultsDir);
  return JSON.parse(readFileSync(join(resultsDir, id!, 'report.json'), 'utf8')) as SpectrumReport;
}

async function trial(source: string, name: string, args: string[]) {
  const rig = await prepareRig(env, source, name, { epochMs: 250 }); // the contract's epoch length, as EPOCHS asks
  const results = env.resultsDir();
  const run = await runCli(['trial', rig.path, '--results', results, ...args], rig.env);
  return { run, rig, results, report: existsSync(results) && readdirSync(results).length ? readReport(results) : null };
}

const EPOCHS = ['--epochs', '16', '--epoch-ms', '250'];

describe.each([
  ['rigs/twin.yaml', 2],
  ['rigs/twin-4op.yaml', 4],
])('spectrum sharing on %s (%i operators)', (source, n) => {
  let ledger: Awaited<ReturnType<typeof trial>>;
  let random: Awaited<ReturnType<typeof trial>>;
  beforeAll(async () => {
    ledger = await trial(source, `t${n}ledger`, [...EPOCHS, '--policy', 'ledger']);
    random = await trial(source, `t${n}random`, [...EPOCHS, '--policy', 'random', '--seed', '11']);
  });

  it('ledger policy runs to the end, exits 0 and prints the report', () => {
    expect(ledger.run.all).not.toMatch(/0x[0-9a-f]{64}/i); // no key in any output
    expect(ledger.run.exitCode, ledger.run.all).toBe(0);
    expect(ledger.run.stdout).toMatch(/Jain's fairness of grants \(last quarter\): /);
    const r = ledger.report!;
    expect(r).toMatchObject({ policy: 'ledger', epochs: 16, completed: true, error: null });
    expect(r.trialId).toMatch(new RegExp(`^t${n}ledger-`));
    expect(r.operators.map((o) => Object.keys(o))).toEqual(r.operators.map(() => expect.arrayContaining(['name', 'meanGrantMHz', 'meanThroughputMbps', 'finalBalance'])));
  });

  it('with the ledger deciding, fairness >= 0.99 and every mean grant within 2 % of W/n; random is clearly lower', () => {
    const r = ledger.report!;
    const fair = 40 / n;
    expect(r.fairness).toBeGreaterThanOrEqual(0.99);
    for (const o of r.operators) expect(Math.abs(o.lastQuarterMeanGrantMHz - fair) / fair).toBeLessThanOrEqual(0.02);
    expect(r.convergedAtEpoch).not.toBeNull();
    expect(random.run.exitCode, random.run.all).toBe(0);
    expect(random.report!.fairness!).toBeLessThan(0.9);
    expect(random.report!.convergedAtEpoch).toBeNull();
    console.info(`n=${n}: fairness ledger ${r.fairness!.toFixed(4)}, random ${random.report!.fairness!.toFixed(4)}`);
  });

  it('no ledger key appears in the output, the results folder or InfluxDB', async () => {
    const keys = Object.values(ledger.rig.env).map((k) => k.replace(/^0x/, '').toLowerCase());
    expect(keys.length).toBe(n);
    const files = readdirSync(ledger.results, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const text = readFileSync(join(f.parentPath, f.name), 'latin1').toLowerCase();
      for (const k of keys) expect(text.includes(k), join(f.parentPath, f.name)).toBe(false);
    }
    for (const k of keys) expect(ledger.run.all!.toLowerCase().includes(k)).toBe(false);
    const rows = await influxQuery(env, `SELECT * FROM epoch_operator WHERE trial='${ledger.report!.trialId}'`);
    for (const k of keys) expect(JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? String(v) : v)).toLowerCase().includes(k)).toBe(false);
  });

  it("the report's figures equal what InfluxQL returns for the trial id", async () => {
    const r = ledger.report!;
    const rows = await influxQuery(env, `SELECT mean(grantMHz) AS g, mean(throughputMbps) AS t, count(grantMHz) AS c FROM epoch_operator WHERE trial='${r.trialId}' GROUP BY operator`);
    expect(rows).toHaveLength(n);
    for (const o of r.operators) {
      const row = rows.find((x) => x.operator === o.name)!;
      expect(row.c).toBe(16);
      expect(row.g as number).toBeCloseTo(o.meanGrantMHz, 9);
      expect(row.t as number).toBeCloseTo(o.meanThroughputMbps, 9);
    }
    const [f] = await influxQuery(env, `SELECT mean(jain) AS j FROM epoch WHERE trial='${r.trialId}' AND epoch > 12`);
    expect(f!.j as number).toBeCloseTo(r.fairness!, 12);
    const [k] = await influxQuery(env, `SELECT count(thpDlKbps) AS k FROM kpm_ue WHERE trial='${r.trialId}'`);
    expect(k!.k as number).toBeGreaterThan(16);
  });

  it("final balances equal the contract's, read over JSON-RPC, and supply is conserved to the last unit", async () => {
    const r = ledger.report!;
    const { balances, supply } = await contractBalances(env, ledger.rig.contract, r.operators.map((o) => o.name));
    expect(r.operators.map((o) => o.finalBalanceMicro)).toEqual(balances.map(String));
    expect(balances.reduce((a, b) => a + b, 0n)).toBe(supply);
    expect(supply).toBe(13_320_000_000n);
    expect(r.supply).toEqual({ initialMicro: '13320000000', finalMicro: '13320000000', conserved: true });
  });
});

describe('failures', () => {
  it('killing one twin base station mid-trial ends the trial cleanly: exit 3, named, other cells off, points kept', async () => {
    const rig = await prepareRig(env, 'rigs/twin.yaml', 'tkill', { epochMs: 250 });
    const results = env.resultsDir();
    const cli = runCli(['trial', rig.path, '--results', results, '--epochs', '200', '--epoch-ms', '250'], rig.env);
    // Wait until a few epochs are in InfluxDB, then kill gnb-b's agent process.
    const id = await waitForEpochs(env, results, 6);
    process.kill(onlyProcessUnder(join(results, id, 'twin', 'gnb-b.json')), 'SIGKILL');
    const run = await cli;
    expect(run.exitCode, run.all).toBe(3);
    expect(run.stderr).toMatch(/gnb-b/);
    const report = readReport(results);
    expect(report.completed).toBe(false);
    expect(report.error).toMatch(/gnb-b/);
    expect(report.epochs).toBeGreaterThanOrEqual(3);
    // The surviving cell was turned off (its agent published the off state to the air).
    const air = JSON.parse(readFileSync(join(results, id, 'air', 'tx', 'gnb-a-c1.json'), 'utf8'));
    expect(air.on).toBe(false);
    // Every point measured before the failure is in InfluxDB.
    const [ops] = await influxQuery(env, `SELECT count(grantMHz) AS c FROM epoch_operator WHERE trial='${id}'`);
    expect(ops!.c).toBe(report.epochs * 2);
    const [kb] = await influxQuery(env, `SELECT count(thpDlKbps) AS c FROM kpm_cell WHERE trial='${id}' AND bs='gnb-b'`);
    expect(kb!.c as number).toBeGreaterThan(0);
    // No agent left behind.
    expect(processesUnder(join(results, id, 'twin'))).toEqual([]);
  });

  it('SIGINT mid-trial: teardown runs (cells off, agents stopped), the report keeps what was measured, exit 130', async () => {
    const rig = await prepareRig(env, 'rigs/twin.yaml', 'tsigint', { epochMs: 250 });
    const results = env.resultsDir();
    const cli = runCli(['trial', rig.path, '--results', results, '--epochs', '200', '--epoch-ms', '250'], rig.env);
    const id = await waitForEpochs(env, results, 4);
    cli.kill('SIGINT');
    const run = await cli;
    expect(run.exitCode, run.all).toBe(130);
    expect(run.stderr).toMatch(/interrupted by SIGINT/);
    for (const cell of ['gnb-a-c1', 'gnb-b-c1']) expect(JSON.parse(readFileSync(join(results, id, 'air', 'tx', `${cell}.json`), 'utf8')).on).toBe(false);
    expect(processesUnder(join(results, id))).toEqual([]);
    const report = readReport(results);
    expect(report).toMatchObject({ completed: false, error: 'interrupted by SIGINT' });
    expect(report.supply.conserved).toBe(true);
    const [ops] = await influxQuery(env, `SELECT count(grantMHz) AS c FROM epoch_operator WHERE trial='${id}'`);
    expect(ops!.c).toBe(report.epochs * 2);
  });

  it('a SIGKILLed controller leaves no process behind: agents and the embedded chain follow it', async () => {
    const rig = await prepareRig(env, 'rigs/twin.yaml', 'tkill9');
    // The ledger embedded again, so the controller starts its own chain (a program not ours, under the guard).
    const text = readFileSync(rig.path, 'utf8');
    const doc = parse(text);
    doc.ledger = { embedded: true };
    doc.operators = doc.operators.map((o: { name: string }) => ({ name: o.name, account: { generate: true } }));
    writeFileSync(rig.path, stringify(doc));
    const results = env.resultsDir();
    const cli = runCli(['trial', rig.path, '--results', results, '--epochs', '200', '--epoch-ms', '250']);
    const id = await waitForEpochs(env, results, 2);
    expect(processesUnder(join(results, id)).length).toBeGreaterThanOrEqual(4); // chain (guard + hardhat), 2 agents, modems
    cli.kill('SIGKILL');
    await cli;
    expect(await waitNoProcessesUnder(join(results, id))).toEqual([]);
  });

  it('a malformed rig file exits 2 naming the file, the path inside it and the reason', async () => {
    const bad = join(env.dir, 'bad.yaml');
    writeFileSync(bad, readFileSync('rigs/twin.yaml', 'utf8').replace('bandwidthMHz: 40\n        scsKHz: 15\n        pci: 202', 'bandwidthMHz: -5\n        scsKHz: 15\n        pci: 202'));
    for (const cmd of ['trial', 'validate']) {
      const run = await runCli([cmd, bad]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/bad\.yaml: line \d+: basestations\[1\]\.cells\[0\]\.bandwidthMHz: .*(>0|positive|greater)/i);
    }
  });

  it('an unreachable InfluxDB or ledger fails at bring-up, before any agent is started or control sent', async () => {
    const rig = await prepareRig(env, 'rigs/twin.yaml', 'tunreach');
    const text = readFileSync(rig.path, 'utf8');
    const closed = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    for (const [what, broken] of [
      ['influx', text.replace(env.influx.url, closed)],
      ['ledger', text.replace(env.chain.rpcUrl, closed)],
    ] as const) {
      const path = join(env.dir, `unreach-${what}.yaml`);
      writeFileSync(path, broken);
      const results = env.resultsDir();
      const started = Date.now();
      const run = await runCli(['trial', path, '--results', results], rig.env);
      expect(run.exitCode, run.all).toBe(3);
      expect(run.stderr).toMatch(new RegExp(`error: ${what}: .*(unreachable|no answer)`, 'i'));
      expect(Date.now() - started).toBeLessThan(20_000);
      const id = readdirSync(results)[0]!;
      expect(existsSync(join(results, id, 'twin'))).toBe(false); // no base station agent was started
      expect(readReport(results).epochs).toBe(0);
    }
  });
});
