// Helpers for fault tests through real processes: the ranlab CLI in its own process group,
// the processes a test started (found by its own folder in their command line, never by a
// machine-wide name), and the embedded influxd of a state folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { queryInflux } from '../../harness/measure/index.js';

export function cli(args: string[], env: Record<string, string> = {}, opts: { detached?: boolean } = {}): ResultPromise<{ reject: false; all: true }> {
  return execa(process.execPath, ['bin/ranlab.js', ...args], {
    reject: false,
    all: true,
    env: { RANLAB_LOG_LEVEL: 'warn', ...env },
    // Its own process group: the test can signal the whole group, as a terminal's Ctrl-C does.
    detached: opts.detached ?? false,
    cleanup: true,
  });
}

/** Pids of live processes whose command line mentions `dir` (this test's own folder). */
export function procsUnder(dir: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmd: string;
    let stat: string;
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (/\) Z /.test(stat)) continue; // a zombie has exited
    if (cmd.includes(dir) && Number(name) !== process.pid) out.push({ pid: Number(name), cmd });
  }
  return out;
}

export function killAllUnder(dir: string): void {
  for (const p of procsUnder(dir)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The URL of the embedded influxd running on a state folder, if one runs. */
export function embeddedInfluxUrl(stateDir: string): string | null {
  const f = join(stateDir, 'influx', 'ranlab-influxd.json');
  if (!existsSync(f)) return null;
  try {
    return (JSON.parse(readFileSync(f, 'utf8')) as { url: string }).url;
  } catch {
    return null;
  }
}

export function embeddedInfluxPid(stateDir: string): number | null {
  const f = join(stateDir, 'influx', 'ranlab-influxd.json');
  if (!existsSync(f)) return null;
  return (JSON.parse(readFileSync(f, 'utf8')) as { pid: number }).pid;
}

/** The one trial id under a results folder. */
export function trialIdIn(results: string): string | null {
  return existsSync(results) ? (readdirSync(results)[0] ?? null) : null;
}

export function readReport(results: string, id?: string): Record<string, unknown> & { exitCode: number; epochs: number; trialId: string } {
  const tid = id ?? trialIdIn(results);
  return JSON.parse(readFileSync(join(results, tid!, 'report.json'), 'utf8'));
}

/** Epoch-operator points of a trial in an InfluxDB. */
export async function epochPoints(url: string, trial: string): Promise<number> {
  const [row] = await queryInflux(url, 'ranlab', `SELECT count(grantMHz) AS c FROM epoch_operator WHERE trial='${trial}'`).catch(() => []);
  return row ? Number(row.c) : 0;
}
