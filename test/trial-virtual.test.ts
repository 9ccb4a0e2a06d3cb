// Virtual time for the twin (issue 12 item 6): `ranlab trial --clock virtual` runs the same
// trial as real time, through the same processes (CLI, twin agents, twin modems on ptys, the
// chain, influxd), only with the twin advanced by the controller instead of wall timers.
//
// Tolerance: the twin's radio model has no random term; each KPM period is figured against
// the grants in effect at its midpoint (harness/twin/gnb/kpm-stream.ts), on both clocks. So
// for the same rig and seed the grants and the measured use (token units) are identical, and
// the throughput agrees to 0.5 % (floating-point summation order is the only allowance).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { SpectrumReport } from '../harness/report/index.js';
import { parseRig } from '../harness/rig/index.js';
import { withClock } from '../harness/trial/run.js';
import { processesUnder } from './helpers/procs.js';
import { runCli, useTrialEnv, type TrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
useTrialEnv((e) => (env = e));

function rigCopy(source: string, name: string): string {
  const raw = parse(readFileSync(source, 'utf8'));
  raw.name = name;
  raw.influx = { url: env.influx.url, database: 'ranlab' };
  const path = join(env.dir, `${name}.yaml`);
  writeFileSync(path, stringify(raw));
  return path;
}

async function trial(path: string, args: string[]): Promise<SpectrumReport> {
  const results = env.resultsDir();
  const run = await runCli(['trial', path, '--results', results, '--json', ...args]);
  expect(run.exitCode, run.all).toBe(0);
  expect(processesUnder(results), 'nothing of the trial is left running').toEqual([]);
  return JSON.parse(run.stdout) as SpectrumReport;
}

describe('--clock virtual', () => {
  it('gives the real-time report for the same rig and seed (grants and use identical, throughput within 0.5 %)', async () => {
    const path = rigCopy('rigs/twin.yaml', 'virt');
    // The random policy moves the grants every epoch, so the cells interfere differently each time.
    const args = ['--policy', 'random', '--seed', '5', '--epochs', '5', '--epoch-ms', '400'];
    const real = await trial(path, args);
    const virtual = await trial(path, [...args, '--clock', 'virtual']);
    expect(real.clock).toBe('real');
    expect(virtual.clock).toBe('virtual');
    expect(virtual.epochs).toBe(5);
    expect(virtual.overruns).toEqual([]);
    expect(virtual.operators.map((o) => [o.name, o.meanGrantUnits, o.meanUsedUnits])).toEqual(real.operators.map((o) => [o.name, o.meanGrantUnits, o.meanUsedUnits]));
    expect(virtual.fairness).toBe(real.fairness);
    expect(virtual.utilisation).toBe(real.utilisation);
    for (const [i, o] of virtual.operators.entries()) {
      const r = real.operators[i]!.meanThroughputMbps;
      expect(r, `${o.name} carried traffic`).toBeGreaterThan(0);
      expect(Math.abs(o.meanThroughputMbps - r) / r, `${o.name} throughput`).toBeLessThan(0.005);
    }
  });

  it('is refused on lab rigs, on base stations that are not twin agents, and for the offload kind', () => {
    const lab = parseRig(readFileSync('rigs/lab-b210-srsran.yaml', 'utf8'), 'rigs/lab-b210-srsran.yaml');
    expect(() => withClock(lab, 'virtual')).toThrow(/virtual clock is for the twin only/);
    const peer = parseRig(readFileSync('rigs/peer-srsran.yaml', 'utf8'), 'rigs/peer-srsran.yaml');
    expect(() => withClock(peer, 'virtual')).toThrow(/needs every base station on the twin driver/);
    const offload = parseRig(readFileSync('rigs/twin-offload.yaml', 'utf8'), 'rigs/twin-offload.yaml');
    expect(() => withClock(offload, 'virtual')).toThrow(/runs in real time only/);
    expect(withClock(parseRig(readFileSync('rigs/twin.yaml', 'utf8'), 'rigs/twin.yaml'), 'virtual').trial.clock).toBe('virtual');
  });
});
