// Epochs on a fixed clock (issue 12 item 3), through real processes: windows start on
// schedule whatever happens, every epoch settles the KPM of its own window, and an epoch whose
// grants could not be in effect at its window's start is reported as an overrun, not stretched.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpectrumReport } from '../harness/report/index.js';
import { onlyProcessUnder, processesUnder } from './helpers/procs.js';
import { influxQuery, prepareRig, runCli, waitForEpochs, type TrialEnv, useTrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
useTrialEnv((e) => (env = e));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('epochs on a fixed clock', () => {
  it('a base station stalled past a window start: the epoch is reported as overrun, every window keeps its schedule and its own KPM', async () => {
    const epochMs = 200;
    const rig = await prepareRig(env, 'rigs/twin-4op.yaml', 'sched', { epochMs });
    const results = env.resultsDir();
    // The random policy moves every grant every epoch, so every epoch sends controls.
    const cli = runCli(['trial', rig.path, '--results', results, '--policy', 'random', '--seed', '3', '--epochs', '30', '--epoch-ms', String(epochMs), '--json'], rig.env);
    const id = await waitForEpochs(env, results, 8);
    const pid = onlyProcessUnder(join(results, id, 'twin', 'gnb-a.json'));
    process.kill(pid, 'SIGSTOP');
    await sleep(3 * epochMs);
    process.kill(pid, 'SIGCONT');
    const run = await cli;
    expect(run.exitCode, run.all).toBe(0);
    expect(processesUnder(results)).toEqual([]);
    const report = JSON.parse(run.stdout) as SpectrumReport;
    expect(report.epochs).toBe(30);
    expect(report.overruns!.length, 'the stall made at least one epoch late').toBeGreaterThan(0);
    for (const o of report.overruns!) expect(o.lateMs).toBeGreaterThanOrEqual(0);
    expect(run.all).toMatch(/epoch overran/);

    // The windows: exactly epochMs apart, late epochs included.
    const epochs = await influxQuery(env, `SELECT epoch FROM epoch WHERE trial='${id}'`);
    expect(epochs).toHaveLength(30);
    const starts = epochs.map((e) => BigInt(e.time as bigint)).sort((a, b) => (a < b ? -1 : 1));
    for (let k = 1; k < starts.length; k++) expect(starts[k]! - starts[k - 1]!).toBe(BigInt(epochMs) * 1_000_000n);
    // Each epoch's KPM points lie in its own window, one per cell and period (every epoch has KPM).
    const kpm = await influxQuery(env, `SELECT thpDlKbps, epoch FROM kpm_cell WHERE trial='${id}' AND epoch <> ''`);
    for (const [k, start] of starts.entries()) {
      const mine = kpm.filter((p) => p.epoch === String(k + 1));
      expect(mine.length, `epoch ${k + 1} has KPM from every cell`).toBe(4);
      for (const p of mine) {
        const t = BigInt(p.time as bigint);
        expect(t >= start && t < start + BigInt(epochMs) * 1_000_000n, `epoch ${k + 1}'s KPM in its window`).toBe(true);
      }
    }
  });
});
