// Parallel bring-up through the real CLI on the all-embedded twin rig: influxd, the chain, the
// agents and the modems start at once, so a component that fails while the others are starting
// must still end the trial with its own name (exit 3), and teardown must stop everything that
// had been started by then: no process naming the results folder is left.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { killProcessesUnder, processesUnder } from './helpers/procs.js';
import { runCli, stopCliRuns } from './helpers/rigenv.js';

const dir = mkdtempSync(join(tmpdir(), 'ranlab-bringup-'));
afterEach(async () => {
  await stopCliRuns();
  await killProcessesUnder(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an influxd that dies while the agents and modems start: exit 3 naming influx, and nothing left running', async () => {
  // An influxd that lives long enough for the other components to start, then fails.
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'influxd'), '#!/bin/sh\nsleep 2\necho "influxd: cannot open the data folder" >&2\nexit 1\n');
  chmodSync(join(bin, 'influxd'), 0o755);
  const results = join(dir, 'results');
  const run = await runCli(['trial', 'rigs/twin.yaml', '--epochs', '1', '--results', results, '--state', join(dir, 'state')], {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  });
  expect(run.exitCode, run.all).toBe(3);
  expect(run.stderr).toMatch(/error: influx\w*: /i);
  const [id] = readdirSync(results);
  // The agents and modems had been started meanwhile (their configs are written as they start) ...
  expect(existsSync(join(results, id!, 'twin', 'gnb-a.json')), run.all).toBe(true);
  // ... and teardown stopped every one of them, and the chain.
  expect(processesUnder(join(results, id!))).toEqual([]);
  const report = JSON.parse(readFileSync(join(results, id!, 'report.json'), 'utf8')) as { epochs: number; completed: boolean };
  expect(report).toMatchObject({ epochs: 0, completed: false });
});
