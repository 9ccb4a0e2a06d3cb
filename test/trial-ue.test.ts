// Issue 3 through real processes: twin modems on real pseudo-terminals, driven by the AT
// modem driver inside a trial; by-hand commands with no trial running.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxQuery, prepareRig, runCli, startTrialEnv, waitForEpochs, type TrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
beforeAll(async () => {
  env = await startTrialEnv();
});
afterAll(async () => {
  await env?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ns = (t: unknown) => BigInt(t as bigint);

describe('AT-modem UEs in a twin trial', () => {
  it('every UE has serving-cell readings in InfluxDB for every epoch; a closed terminal leaves a gap and readings resume within 5 s', async () => {
    const rig = await prepareRig(env, 'rigs/twin.yaml', 'tue', { epochMs: 400 });
    const results = mkdtempSync(join(env.dir, 'results-'));
    const epochMs = 400;
    const cli = runCli(['trial', rig.path, '--results', results, '--epochs', '30', '--epoch-ms', String(epochMs)], rig.env);

    // Once a few epochs have run, unplug ue-b1's twin modem (its pty closes) for 2 s.
    const id = await waitForEpochs(env, results, 8);
    const pgrep = await execa('pgrep', ['-f', `twin-modem-ue-b1.json`], { reject: false });
    const pid = Number(pgrep.stdout.trim().split('\n')[0]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGUSR1');
    const unpluggedAt = BigInt(Date.now()) * 1_000_000n;
    await sleep(2000);
    process.kill(pid, 'SIGUSR2');
    const repluggedAt = BigInt(Date.now()) * 1_000_000n;

    const run = await cli;
    expect(run.exitCode, run.all).toBe(0);

    // Every epoch has a reading from every UE (ue-b1 except while unplugged).
    const epochs = await influxQuery(env, `SELECT epoch FROM epoch WHERE trial='${id}'`);
    expect(epochs).toHaveLength(30);
    const readings = await influxQuery(env, `SELECT sinrDb, rsrpDbm, band, pci FROM ue_radio WHERE trial='${id}' GROUP BY ue`);
    const byUe = new Map<string, bigint[]>();
    for (const r of readings) byUe.set(r.ue as string, [...(byUe.get(r.ue as string) ?? []), ns(r.time)]);
    expect([...byUe.keys()].sort()).toEqual(['ue-a1', 'ue-a2', 'ue-b1', 'ue-b2']);
    const windowNs = BigInt(epochMs) * 1_000_000n;
    for (const [ue, times] of byUe) {
      for (const e of epochs) {
        const start = ns(e.time);
        const inGap = ue === 'ue-b1' && start + windowNs > unpluggedAt && start < repluggedAt + 5_000_000_000n;
        if (inGap) continue;
        expect(times.some((t) => t >= start && t < start + windowNs), `${ue} epoch ${e.epoch}`).toBe(true);
      }
    }
    expect(readings.find((r) => r.ue === 'ue-a1')).toMatchObject({ band: 'n46', pci: 101 });

    // The gap is visible, and readings came back within 5 s of the terminal returning.
    const b1 = byUe.get('ue-b1')!.sort((a, b) => (a < b ? -1 : 1));
    const maxGap = b1.slice(1).reduce((m, t, i) => (t - b1[i]! > m ? t - b1[i]! : m), 0n);
    expect(Number(maxGap) / 1e9).toBeGreaterThan(1.5);
    const firstAfter = b1.find((t) => t > repluggedAt);
    expect(firstAfter).toBeDefined();
    expect(Number(firstAfter! - repluggedAt) / 1e9).toBeLessThan(5);
    // The driver's view of it is in InfluxDB too.
    const events = await influxQuery(env, `SELECT event FROM ue_event WHERE trial='${id}' AND ue='ue-b1'`);
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['unplugged', 'replugged']));
  });
});

describe('ranlab ue, by hand', () => {
  it('answers ATI while no trial is running, starting and stopping the twin modem itself', async () => {
    const run = await runCli(['ue', 'rigs/twin.yaml', 'ue-a1', 'at', 'ATI']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toBe('Quectel\nRM520N\nRevision: RM520NTWINR01A01M4G\nOK'); // (execa strips the final newline)
    expect((await execa('pgrep', ['-f', 'twin-modem'], { reject: false })).stdout).toBe('');
  });

  it('prints the parsed state, and the modem\'s own words for a refused command', async () => {
    const status = await runCli(['ue', 'rigs/twin.yaml', 'ue-b2', 'status']);
    expect(status.exitCode, status.all).toBe(0);
    expect(status.stdout).toMatch(/ue ue-b2 on .*: ready\n\s+identity\s+Quectel RM520N/);
    const bad = await runCli(['ue', 'rigs/twin.yaml', 'ue-b2', 'at', 'AT+CGDCONT=99']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/ERROR/);
  });

  it('an unknown UE is a usage error (exit 2) naming the UEs there are', async () => {
    const run = await runCli(['ue', 'rigs/twin.yaml', 'ue-zz', 'at', 'ATI']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/no UE "ue-zz" in rig twin \(UEs: ue-a1, ue-a2, ue-b1, ue-b2\)/);
  });
});
