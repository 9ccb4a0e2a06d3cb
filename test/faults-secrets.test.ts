// Issue 8 item 6: operators' keys (keyEnv) never reach a child's environment. A trial on a lab
// chain (keys from the environment) with the embedded influxd, twin agents and twin modems:
// while it runs, /proc/PID/environ of every process it started is read.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli, killAllUnder, procsUnder, readReport, until } from './helpers/faults.js';
import { prepareRig, startTrialEnv, type TrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
const dir = mkdtempSync(join(tmpdir(), 'ranlab-faults-secrets-'));
beforeAll(async () => {
  env = await startTrialEnv();
}, 120_000);
afterAll(async () => {
  killAllUnder(dir);
  await env?.stop();
});

it('keyEnv keys are not in /proc/PID/environ of influxd, its guard, the agents or the modems', async () => {
  const prepared = await prepareRig(env, 'rigs/twin.yaml', 'secrets', { epochMs: 400 });
  const rig = parse(readFileSync(prepared.path, 'utf8')) as Record<string, unknown>;
  rig.influx = { embedded: true, database: 'ranlab' };
  const rigPath = join(dir, 'rig.yaml');
  writeFileSync(rigPath, stringify(rig));
  const results = join(dir, 'results');
  const run = cli(['trial', rigPath, '--epochs', '12', '--epoch-ms', '400', '--results', results, '--state', join(dir, 'state')], prepared.env, { detached: true });
  // influxd (and its guard), 2 agents, 4 modems: 8 processes of this trial's own.
  // A process still showing the controller's own command line is one of its forks caught
  // between fork and exec: it holds the parent's memory (environ included) until it execs into
  // the child it becomes. Only children after exec count (what they were given).
  const procs = await until('the trial\'s children', () => {
    // Read each time: right after the spawn the controller itself may not have exec'd yet.
    const controllerCmd = readFileSync(`/proc/${run.pid}/cmdline`, 'utf8').split('\0').join(' ');
    const p = procsUnder(dir).filter((x) => x.pid !== run.pid && x.cmd !== controllerCmd);
    return p.length >= 8 ? p : null;
  }, 90_000);
  const names = Object.keys(prepared.env);
  const values = Object.values(prepared.env).map((v) => v.replace(/^0x/, '').toLowerCase());
  expect(names.length).toBe(2);
  // The controller itself has them (the test gave them to it) ...
  const own = readFileSync(`/proc/${run.pid}/environ`, 'utf8');
  for (const n of names) expect(own).toContain(`${n}=`);
  // ... and none of its children does.
  let checked = 0;
  for (const p of procs) {
    let environ: string;
    try {
      environ = readFileSync(`/proc/${p.pid}/environ`, 'utf8').toLowerCase();
    } catch {
      continue;
    }
    checked++;
    for (const n of names) expect(environ, p.cmd).not.toContain(n.toLowerCase());
    for (const v of values) expect(environ, p.cmd).not.toContain(v);
  }
  console.info(`environ of ${checked} child processes checked: ${procs.map((p) => p.cmd.split(' ').slice(0, 3).join(' ').replace(/\S*\//g, '')).join('; ')}`);
  expect(checked).toBeGreaterThanOrEqual(8);
  expect(procs.some((p) => /influxd/.test(p.cmd))).toBe(true);
  expect(procs.some((p) => /ran-agent --backend twin/.test(p.cmd))).toBe(true);
  expect(procs.some((p) => /twin-modem/.test(p.cmd))).toBe(true);
  const r = await run;
  expect(r.exitCode, r.all).toBe(0);
  expect(readReport(results).exitCode).toBe(0);
  expect(procsUnder(dir)).toEqual([]);
}, 180_000);
