// Repeated trials on one lab contract continue from the contract's next epoch (issue 8, item 8),
// through real processes against a lab-style chain (a dev chain on HTTP, keys from the environment).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SpectrumReport } from '../harness/report/index.js';
import { prepareRig, runCli, startTrialEnv, type TrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
beforeAll(async () => {
  env = await startTrialEnv();
});
afterAll(async () => {
  await env?.stop();
});

test('a second trial on the same contract plays epochs 5-8 after the first played 1-4, and both verify', async () => {
  const rig = await prepareRig(env, 'rigs/twin.yaml', 'repeat', { epochMs: 200 });
  const reports: SpectrumReport[] = [];
  for (let i = 0; i < 2; i++) {
    const results = mkdtempSync(join(env.dir, 'results-'));
    const run = await runCli(['trial', rig.path, '--results', results, '--epochs', '4'], rig.env);
    expect(run.exitCode, run.all).toBe(0);
    const [id] = readdirSync(results);
    reports.push(JSON.parse(readFileSync(join(results, id!, 'report.json'), 'utf8')) as SpectrumReport);
    const verify = await runCli(['verify', id!, '--results', results]);
    expect(verify.exitCode, verify.all).toBe(0);
    expect(verify.stdout).toContain(`from ${env.chain.rpcUrl}`); // read from the chain itself
  }
  expect(reports.map((r) => r.chainEpochs)).toEqual([
    { first: 1, last: 4 },
    { first: 5, last: 8 },
  ]);
  expect(reports.every((r) => r.completed && r.supply!.conserved)).toBe(true);
  // A trial asking for another epoch length than the contract's is refused, naming both.
  const results = mkdtempSync(join(env.dir, 'results-'));
  const wrong = await runCli(['trial', rig.path, '--results', results, '--epochs', '2', '--epoch-ms', '300'], rig.env);
  expect(wrong.exitCode).toBe(2);
  expect(wrong.all).toMatch(/epoch length is 200 ms \(fixed at its deployment\); this trial asked for 300 ms/);
}, 180_000);
