// Issue 8 item 1 through real processes: a paused (SIGSTOPped) influxd or dev chain does not
// hang teardown; a program that ignores SIGTERM is killed at the deadline, its guard after it;
// every child leads its own process group; a signal death is reported as the signal.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevChain } from '../harness/ledger/index.js';
import { startEmbeddedInflux } from '../harness/measure/index.js';
import { Supervisor } from '../harness/proc/index.js';
import { killAllUnder, procsUnder, until } from './helpers/faults.js';

const dir = mkdtempSync(join(tmpdir(), 'ranlab-faults-proc-'));
const sup = new Supervisor();
afterAll(async () => {
  await sup.stopAll(2000);
  killAllUnder(dir);
});

/** Alive and not a zombie (a killed process whose parent has not reaped it yet has exited). */
function running(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const pgidOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[2]);

describe('teardown of paused and stubborn children', () => {
  it('SIGSTOPped influxd and dev chain: stopAll ends by its deadline, nothing left running', async () => {
    const [influx, chain] = await Promise.all([
      startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: 'ranlab' }),
      startDevChain(sup, { dataDir: join(dir, 'chain') }),
    ]);
    const programs = [influx.child.pid, chain.child.pid];
    const guards = [influx.child.pgid, chain.child.pgid];
    // Each runs in its own process group (its guard leads it), not in ours.
    for (const [i, p] of programs.entries()) {
      expect(pgidOf(p)).toBe(guards[i]);
      expect(pgidOf(p)).not.toBe(pgidOf(process.pid));
    }
    for (const p of programs) process.kill(p, 'SIGSTOP');
    const t = Date.now();
    const outcomes = await sup.stopAll(2500);
    const ms = Date.now() - t;
    console.info(`stopAll with influxd and dev chain SIGSTOPped: ${ms} ms (deadline 2500 ms), outcomes ${JSON.stringify(outcomes.map((o) => [o.name, o.confirmed, o.forced]))}`);
    expect(ms).toBeLessThan(2500 + 2500);
    expect(outcomes.every((o) => o.confirmed)).toBe(true);
    for (const p of [...programs, ...guards]) expect(running(p), `pid ${p}`).toBe(false);
    expect(procsUnder(dir)).toEqual([]);
  }, 90_000);

  it('a program that ignores SIGTERM (and stays paused): SIGKILL at the deadline, program before guard, confirmed gone', async () => {
    const c = await sup.start({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', `process.on('SIGTERM', () => {}); process.on('SIGINT', () => {}); console.log('ready'); setInterval(() => {}, 1000); // ${dir}`],
      readyLine: /ready/,
    });
    process.kill(c.pid, 'SIGSTOP');
    const t = Date.now();
    const [o] = await sup.stopAll(1200);
    const ms = Date.now() - t;
    console.info(`stubborn child: stopped in ${ms} ms, forced=${o!.forced}`);
    expect(o).toMatchObject({ name: 'stubborn', confirmed: true, forced: true });
    expect(ms).toBeGreaterThanOrEqual(1100);
    expect(ms).toBeLessThan(1200 + 2500);
    expect(c.pid).not.toBe(c.pgid);
    expect(running(c.pid)).toBe(false);
    expect(running(c.pgid)).toBe(false);
    expect(procsUnder(dir)).toEqual([]);
  }, 30_000);

  it('a program killed by a signal is reported as that signal, through its guard', async () => {
    const died: string[] = [];
    const s2 = new Supervisor();
    s2.onUnexpectedExit((name, detail) => died.push(`${name}: ${detail}`));
    const c = await s2.start({ name: 'victim', command: '/bin/sh', args: ['-c', `echo ready; exec sleep 60 # ${dir}`], readyLine: /ready/ });
    await until('guarded pid', () => c.pid !== c.pgid, 3000, 20);
    process.kill(c.pid, 'SIGSEGV');
    await c.exited;
    expect(died).toEqual(['victim: killed by SIGSEGV']);
    expect(c.exitDetail).toBe('killed by SIGSEGV');
  }, 30_000);

  it('children get an environment built for them: a withheld key variable never reaches them', async () => {
    const { withholdFromChildren } = await import('../harness/proc/index.js');
    process.env.RANLAB_FAULT_TEST_KEY = 'ab'.repeat(32);
    withholdFromChildren(['RANLAB_FAULT_TEST_KEY']);
    try {
      const c = await sup.start({ name: 'env', command: '/bin/sh', args: ['-c', `echo ready; exec sleep 30 # ${dir}`], readyLine: /ready/, env: { RANLAB_FAULT_TEST_KEY: 'x', OTHER: 'y' } });
      await until('guarded pid', () => c.pid !== c.pgid, 3000, 20);
      for (const pid of [c.pid, c.pgid]) {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        expect(environ).not.toContain('RANLAB_FAULT_TEST_KEY');
        expect(environ).not.toContain('ab'.repeat(32));
        expect(environ.split('\0')).toContain('OTHER=y');
      }
      await c.stop();
    } finally {
      delete process.env.RANLAB_FAULT_TEST_KEY;
    }
  }, 30_000);
});
