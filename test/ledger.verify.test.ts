// `ranlab verify <trial-id>`: the tamper-evident trial record, through real processes. An
// untouched trial verifies; a changed point and a deleted point are found and named (epoch and
// operator), and only those settlements fail.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { queryInflux, startEmbeddedInflux, type EmbeddedInflux } from '../harness/measure/index.js';
import { Supervisor } from '../harness/proc/index.js';
import { rfc3339ToNs } from '../harness/trial/digest.js';
import { runCli } from './helpers/rigenv.js';

const sup = new Supervisor();
const dir = mkdtempSync(join(tmpdir(), 'ranlab-ledger-verify-'));
let influx: EmbeddedInflux;
beforeAll(async () => {
  influx = await startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: 'ranlab' });
});
afterAll(async () => {
  await sup.stopAll();
});

async function influxql(q: string): Promise<void> {
  const res = await fetch(`${influx.url}/query?db=ranlab&q=${encodeURIComponent(q)}`, { method: 'POST' });
  expect(res.status).toBe(200);
}

test('verify passes on an untouched trial and names the epoch and operator of a changed or deleted point', async () => {
  const rig = parse(readFileSync('rigs/twin.yaml', 'utf8'));
  rig.name = 'verify';
  rig.ledger = { embedded: true };
  rig.influx = { url: influx.url, database: 'ranlab' };
  rig.spectrum = { ...rig.spectrum, epochMs: 200, supplyTokens: 500 };
  rig.trial = { ...rig.trial, kpmPeriodMs: 50 };
  const path = join(dir, 'verify.yaml');
  writeFileSync(path, stringify(rig));
  const results = mkdtempSync(join(dir, 'results-'));
  const run = await runCli(['trial', path, '--results', results, '--epochs', '5']);
  expect(run.exitCode, run.all).toBe(0);
  const [id] = readdirSync(results);

  const clean = await runCli(['verify', id!, '--results', results]);
  expect(clean.exitCode, clean.all).toBe(0);
  expect(clean.stdout).toMatch(/10 settlements/);
  expect(clean.stdout).toMatch(/every recorded digest matches/);
  expect(clean.stdout.match(/: ok \((\d+) points/g)!.length).toBe(10);

  // Change one value of one point: op-b's cell in epoch 3 (same series and time, so it overwrites).
  const [cell] = await queryInflux(influx.url, 'ranlab', `SELECT * FROM kpm_cell WHERE "trial"='${id}' AND "operator"='op-b' AND "epoch"='3' LIMIT 1`);
  const tags = ['bs', 'cell', 'epoch', 'operator', 'rig', 'trial'].map((k) => `${k}=${cell![k]}`).join(',');
  const line = `kpm_cell,${tags} prbAvailDl=${cell!.prbAvailDl},prbTotDlPct=${cell!.prbTotDlPct},prbUsedDl=${(cell!.prbUsedDl as number) + 1},thpDlKbps=${cell!.thpDlKbps} ${rfc3339ToNs(String(cell!.time))}`;
  const w = await fetch(`${influx.url}/write?db=ranlab&precision=ns`, { method: 'POST', body: line });
  expect(w.status).toBe(204);
  // Delete one point: a UE point of op-a in epoch 2.
  const [ue] = await queryInflux(influx.url, 'ranlab', `SELECT * FROM kpm_ue WHERE "trial"='${id}' AND "operator"='op-a' AND "epoch"='2' LIMIT 1`);
  await influxql(`DELETE FROM kpm_ue WHERE "trial"='${id}' AND "operator"='op-a' AND "epoch"='2' AND "ue"='${ue!.ue}' AND time = ${rfc3339ToNs(String(ue!.time))}`);

  const tampered = await runCli(['verify', id!, '--results', results]);
  console.info(tampered.stdout);
  expect(tampered.exitCode).toBe(1);
  expect(tampered.stdout).toMatch(/epoch 3 \(contract epoch 3\) op-b: MISMATCH/);
  expect(tampered.stdout).toMatch(/epoch 2 \(contract epoch 2\) op-a: MISMATCH/);
  expect(tampered.stdout.match(/MISMATCH/g)!.length).toBe(2);
  expect(tampered.stdout).toMatch(/2 settlement\(s\) do not match/);

  const bad = await runCli(['verify', '../etc', '--results', results]);
  expect(bad.exitCode).toBe(2);
}, 120_000);
