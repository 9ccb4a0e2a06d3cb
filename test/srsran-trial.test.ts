// `ranlab trial rigs/peer-srsran.yaml` end to end: two srsRAN Project gNB hosts (agents in
// managed mode running the stand-in gNB), twin modems, mutual TLS made per trial, the ledger
// and InfluxDB. KPM comes from the stand-in's metrics frames, op-a's carrier changes by a
// restart, and the report gives each epoch's time to effect.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { influxQuery, prepareRig, runCli, useTrialEnv, type TrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
useTrialEnv((e) => (env = e));

describe('rigs/peer-srsran.yaml', () => {
  it('runs to the end: KPM from the stand-in frames, a retune by restart, time to effect per epoch', async () => {
    const prepared = await prepareRig(env, 'rigs/peer-srsran.yaml', 'peersrs', { epochMs: 2500 });
    // prepareRig keeps only name and account of each operator: put back their PLMN and strategy.
    const source = parse(readFileSync('rigs/peer-srsran.yaml', 'utf8')) as { operators: { name: string; plmn: string; strategy: string }[] };
    const rig = parse(readFileSync(prepared.path, 'utf8')) as { operators: Record<string, unknown>[] };
    rig.operators = rig.operators.map((o, i) => ({ ...o, plmn: source.operators[i]!.plmn, strategy: source.operators[i]!.strategy }));
    writeFileSync(prepared.path, stringify(rig));
    const results = env.resultsDir();
    const run = await runCli(['trial', prepared.path, '--results', results, '--epochs', '3', '--epoch-ms', '2500'], prepared.env);
    expect(run.exitCode, run.all).toBe(0);
    const [id] = readdirSync(results);
    const report = JSON.parse(readFileSync(join(results, id!, 'report.json'), 'utf8')) as {
      completed: boolean;
      timeToEffect: { epoch: number; operator: string; ms: number; retuned: boolean; offAir: boolean }[];
    };
    expect(report.completed).toBe(true);
    // Seed 8: op-b's traffic is on in epoch 1 and off after; op-a's carrier widens in epoch 2, by a restart.
    const retune = report.timeToEffect.find((t) => t.retuned);
    expect(retune, JSON.stringify(report.timeToEffect)).toMatchObject({ operator: 'op-a', epoch: 2 });
    expect(retune!.ms).toBeGreaterThan(0);
    expect(report.timeToEffect.filter((t) => t.epoch === 2 && t.operator === 'op-b')[0]!.offAir).toBe(true);
    expect(run.all).toMatch(/time to effect per epoch/);
    // The gNB's own log: started twice (once, then after the retune).
    const log = readFileSync(join(results, id!, 'agents', 'gnb-a', 'gnb', 'gnb.log'), 'utf8');
    expect(log.match(/==== gNB started ===/g)).toHaveLength(2);
    expect(existsSync(join(results, id!, 'agents', 'gnb-a', 'gnb', 'gnb.yaml'))).toBe(true);
    // KPM in InfluxDB from the stand-in's frames: its UEs by RNTI, rates from dl_brate.
    const ues = await influxQuery(env, `SELECT count(thpDlKbps) AS c FROM kpm_ue WHERE trial='${id}' AND ue='rnti-17921' GROUP BY bs`);
    expect(ues.length).toBe(2);
    const [cell] = await influxQuery(env, `SELECT max(thpDlKbps) AS thp, max(prbUsedDl) AS prb FROM kpm_cell WHERE trial='${id}' AND bs='gnb-a'`);
    expect(cell!.thp as number).toBeGreaterThan(1000);
    expect(cell!.prb as number).toBeGreaterThan(0);
    const [rsrp] = await influxQuery(env, `SELECT count(rsrpDbm) AS c FROM kpm_ue WHERE trial='${id}'`);
    expect(rsrp).toBeUndefined();
  }, 120_000);

  it('an FDD band (n3) whose metrics carry no PRB use: absent in InfluxDB, settled from the carrier, and the report says so', async () => {
    const text = readFileSync('rigs/peer-srsran.yaml', 'utf8').replaceAll('band: n78', 'band: n3').replace('lowEdgeMHz: 3600', 'lowEdgeMHz: 1805').replaceAll('carrierMHz: 3620', 'carrierMHz: 1825');
    writeFileSync(join(env.dir, 'peer-n3-src.yaml'), text);
    const prepared = await prepareRig(env, join(env.dir, 'peer-n3-src.yaml'), 'peern3', { epochMs: 2500 });
    const source = parse(text) as { operators: { plmn: string; strategy: string }[] };
    const rig = parse(readFileSync(prepared.path, 'utf8')) as { operators: Record<string, unknown>[] };
    rig.operators = rig.operators.map((o, i) => ({ ...o, plmn: source.operators[i]!.plmn, strategy: source.operators[i]!.strategy }));
    writeFileSync(prepared.path, stringify(rig));
    const results = env.resultsDir();
    const run = await runCli(['trial', prepared.path, '--results', results, '--epochs', '2', '--epoch-ms', '2500'], prepared.env);
    expect(run.exitCode, run.all).toBe(0);
    const [id] = readdirSync(results);
    expect(readFileSync(join(results, id!, 'agents', 'gnb-a', 'gnb', 'gnb.yaml'), 'utf8')).toMatch(/band: 3\n/);
    const [used] = await influxQuery(env, `SELECT count(prbUsedDl) AS c FROM kpm_cell WHERE trial='${id}'`);
    expect(used).toBeUndefined();
    const [thp] = await influxQuery(env, `SELECT count(thpDlKbps) AS c FROM kpm_cell WHERE trial='${id}'`);
    expect(thp!.c as number).toBeGreaterThan(0);
    expect(run.all).toMatch(/op-a: PRB use missing from its reports in 2 epoch\(s\) \(srsRAN reports it per TDD slot only, while its gNB runs: never on an FDD band, .*\); there its settled use is the PRBs of the carrier it had on air/);
  }, 120_000);
});
