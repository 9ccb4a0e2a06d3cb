// Issue 3 through real processes: twin modems on real pseudo-terminals, driven by the AT
// modem driver inside a trial; by-hand commands with no trial running.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onlyProcessUnder, processesUnder } from './helpers/procs.js';
import { influxQuery, prepareRig, runCli, waitForEpochs, type TrialEnv, useTrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
useTrialEnv((e) => (env = e));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ns = (t: unknown) => BigInt(t as bigint);

describe('AT-modem UEs in a twin trial', () => {
  it('every UE has serving-cell readings in InfluxDB for every epoch; a closed terminal leaves a gap and readings resume within 5 s', async () => {
    const rig = await prepareRig(env, 'rigs/twin.yaml', 'tue', { epochMs: 400 });
    const results = env.resultsDir();
    const epochMs = 400;
    const cli = runCli(['trial', rig.path, '--results', results, '--epochs', '30', '--epoch-ms', String(epochMs)], rig.env);

    // Once a few epochs have run, unplug ue-b1's twin modem (its pty closes) for 2 s.
    const id = await waitForEpochs(env, results, 8);
    const pid = onlyProcessUnder(join(results, id, 'twin', 'twin-modem-ue-b1.json'));
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
        const near = times.map((t) => Number(t - start) / 1e6).filter((ms) => ms > -1000 && ms < 1000);
        expect(times.some((t) => t >= start && t < start + windowNs), `${ue} epoch ${e.epoch}: readings at ${near.join(', ')} ms from its start`).toBe(true);
      }
    }
    expect(readings.find((r) => r.ue === 'ue-a1')).toMatchObject({ band: 'n46', pci: 101 });
    // ue-a2 is an RM500Q on early firmware in EN-DC (short NR line): both legs are stored.
    const legs = await influxQuery(env, `SELECT rsrpDbm, sinrDb, sinrRaw, cqi FROM ue_radio WHERE trial='${id}' AND ue='ue-a2' GROUP BY rat`);
    const lte = legs.filter((r) => r.rat === 'lte');
    const nr = legs.filter((r) => r.rat === 'nr');
    expect(lte.length, 'LTE anchor points').toBeGreaterThan(0);
    expect(nr.length, 'NR leg points').toBeGreaterThan(0);
    expect(nr.every((r) => r.cqi === null), 'the LTE CQI never lands on the NR leg').toBe(true);
    expect(lte.some((r) => typeof r.cqi === 'number' && r.sinrRaw !== null)).toBe(true);

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
    // The command's scratch folder (its twin modem's config) goes under TMPDIR: this test's own.
    const scratch = env.resultsDir();
    const run = runCli(['ue', 'rigs/twin.yaml', 'ue-a1', 'at', 'ATI'], { TMPDIR: scratch });
    let modemSeen = false;
    const watch = setInterval(() => (modemSeen ||= processesUnder(scratch).some((p) => p.cmdline.includes('twin-modem'))), 20);
    const done = await run.finally(() => clearInterval(watch));
    expect(modemSeen).toBe(true); // it did start one, under our folder
    expect(done.exitCode, done.all).toBe(0);
    expect(done.stdout).toBe('Quectel\nRM520N\nRevision: RM520NTWINR01A01M4G\nOK'); // (execa strips the final newline)
    expect(processesUnder(scratch)).toEqual([]);
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
