// The embedded influxd: a private InfluxDB 1.x server for a trial on this machine (the twin,
// CI, a lab without a shared InfluxDB). Everything it keeps lives under dataDir; it listens on
// loopback only, on ports chosen free at start (both the HTTP API and the RPC bind-address,
// whose default 8088 would collide with any other influxd on the host).
//
// Bring-up is idempotent: starting again on the same dataDir keeps the data. An influxd that a
// crashed controller left running on this dataDir is stopped first; one that a live
// controller still uses is an error.
import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ComponentError } from '../errors.js';
import { childLog } from '../log.js';
import { acquireExclusive, freePort, pidAlive, type Child, type StopOutcome, type Supervisor } from '../proc/index.js';
import { createInfluxDatabase, pingInflux } from './client.js';

const log = childLog('influx');

export interface EmbeddedInfluxOptions {
  /** Holds meta/, data/, wal/, the generated influxd.conf and the pid record. */
  dataDir: string;
  /** Created when absent (CREATE DATABASE is idempotent). */
  database: string;
  /** HTTP API port; default a free loopback port. Pass the previous one to come back on the same URL. */
  httpPort?: number;
  /** RPC (backup/restore) port; default a free loopback port. */
  rpcPort?: number;
  /** The influxd executable: a path, or a name looked up on PATH (default "influxd"). */
  influxdPath?: string;
  /** Supervisor child name (default "influx"). */
  name?: string;
  readyTimeoutMs?: number;
  /** Told once when another process holds this data folder and the start waits for it. */
  onWait?: (message: string) => void;
  /** Stops the wait for the data folder (e.g. on SIGINT). */
  signal?: AbortSignal;
}

export interface EmbeddedInflux {
  /** http://127.0.0.1:<port> */
  url: string;
  database: string;
  httpPort: number;
  rpcPort: number;
  dataDir: string;
  configPath: string;
  pid: number;
  child: Child;
  stop(): Promise<void>;
  /** Stop by an absolute deadline (Date.now() ms); the data folder is free again afterwards. */
  stopBy(deadline: number): Promise<StopOutcome>;
}

const STATE_FILE = 'ranlab-influxd.json';

interface StateRecord {
  pid: number;
  ownerPid: number;
  url: string;
  configPath: string;
}

/** The influxd config: the keys that matter here, everything else at influxd's defaults. */
export function influxdConfig(dataDir: string, httpPort: number, rpcPort: number): string {
  const q = (s: string) => JSON.stringify(s); // a JSON string is a valid TOML basic string
  return [
    '# Written by ranlab for its embedded influxd; rewritten at every start.',
    'reporting-disabled = true',
    `bind-address = ${q(`127.0.0.1:${rpcPort}`)}`,
    '',
    '[meta]',
    `  dir = ${q(join(dataDir, 'meta'))}`,
    '  logging-enabled = false',
    '',
    '[data]',
    `  dir = ${q(join(dataDir, 'data'))}`,
    `  wal-dir = ${q(join(dataDir, 'wal'))}`,
    '  query-log-enabled = false',
    '',
    '[monitor]',
    '  store-enabled = false',
    '',
    '[http]',
    '  enabled = true',
    `  bind-address = ${q(`127.0.0.1:${httpPort}`)}`,
    '  log-enabled = false',
    '  suppress-write-log = true',
    '  pprof-enabled = false',
    '',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    '',
    '[continuous_queries]',
    '  log-enabled = false',
    '',
  ].join('\n');
}

/** The absolute path of the influxd executable, or null when it is not installed. */
export async function findInfluxd(influxdPath = 'influxd'): Promise<string | null> {
  const candidates = influxdPath.includes('/')
    ? [resolve(influxdPath)]
    : (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
        .split(delimiter)
        .filter((d) => isAbsolute(d))
        .map((d) => join(d, influxdPath));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}

async function cmdline(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
}

/** Deal with an influxd recorded as running on this dataDir by an earlier start. */
async function clearStale(dataDir: string, configPath: string): Promise<void> {
  const file = join(dataDir, STATE_FILE);
  let rec: StateRecord;
  try {
    rec = JSON.parse(await readFile(file, 'utf8')) as StateRecord;
  } catch {
    return;
  }
  // Alive and still that influxd (a zombie or a reused pid has another command line).
  const running = async () => Number.isInteger(rec.pid) && rec.pid > 0 && pidAlive(rec.pid) && (await cmdline(rec.pid)).includes(configPath);
  if (await running()) {
    if (Number.isInteger(rec.ownerPid) && pidAlive(rec.ownerPid)) {
      throw new ComponentError(
        'influx',
        `an influxd (pid ${rec.pid}, at ${rec.url}) is already running on ${dataDir} for ranlab process ${rec.ownerPid}; ` +
          'use that one, or stop that process first',
        'INFLUX_DATADIR_IN_USE',
      );
    }
    log.warn({ pid: rec.pid, dataDir }, 'stopping an influxd left running on this dataDir by a controller that is gone');
    for (const [signal, waitMs] of [
      ['SIGTERM', 5000],
      ['SIGKILL', 5000],
    ] as const) {
      try {
        process.kill(rec.pid, signal);
      } catch {
        /* gone already */
      }
      const deadline = Date.now() + waitMs;
      while ((await running()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (!(await running())) break;
    }
    if (await running()) {
      throw new ComponentError('influx', `cannot stop the influxd (pid ${rec.pid}) left running on ${dataDir}`, 'INFLUX_DATADIR_IN_USE');
    }
  }
  await rm(file, { force: true });
}

/**
 * Start a private influxd under the Supervisor, wait until /ping answers, create the
 * database, and return where it listens. stop() ends it (the data stays in dataDir).
 */
export async function startEmbeddedInflux(supervisor: Supervisor, opts: EmbeddedInfluxOptions): Promise<EmbeddedInflux> {
  const exe = await findInfluxd(opts.influxdPath);
  if (!exe) throw new ComponentError('influx', 'influxd not found: install Debian package influxdb (apt-get install influxdb)', 'INFLUXD_NOT_FOUND');

  const dataDir = resolve(opts.dataDir);
  const configPath = join(dataDir, 'influxd.conf');
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (err) {
    throw new ComponentError('influx', `cannot create data folder ${dataDir}: ${(err as Error).message}`, 'INFLUX_FAILED', { cause: err });
  }
  // One server per data folder: the lock is held for as long as this influxd runs, so a second
  // trial on the same folder waits here until the first has stopped its server.
  const lock = await acquireExclusive(`influxd:${dataDir}`, {
    signal: opts.signal,
    onWait: () => opts.onWait?.(`the embedded influxd on ${dataDir} is in use by another trial; waiting for it to finish`),
  });
  try {
    return await startLocked(supervisor, opts, exe, dataDir, configPath, lock.release);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(
  supervisor: Supervisor,
  opts: EmbeddedInfluxOptions,
  exe: string,
  dataDir: string,
  configPath: string,
  unlock: () => Promise<void>,
): Promise<EmbeddedInflux> {
  await clearStale(dataDir, configPath);

  const name = opts.name ?? 'influx';
  let httpPort = 0;
  let rpcPort = 0;
  let url = '';
  let child: Child | undefined;
  // A port found free can be taken by someone else before influxd binds it: then try new ones.
  for (let attempt = 1; !child; attempt++) {
    httpPort = opts.httpPort ?? (await freePort());
    rpcPort = opts.rpcPort ?? (await freePort());
    while (rpcPort === httpPort) rpcPort = await freePort();
    await writeFile(configPath, influxdConfig(dataDir, httpPort, rpcPort));
    url = `http://127.0.0.1:${httpPort}`;
    // If something already answers on a port we were asked to reuse, the probe would pass
    // against the wrong server: refuse that up front.
    if (opts.httpPort !== undefined && (await pingInflux(url, 300))) {
      throw new ComponentError('influx', `port ${httpPort} is already served by another InfluxDB; pick another or stop it`, 'INFLUX_PORT_IN_USE');
    }
    const probeUrl = url;
    try {
      child = await supervisor.start({
        name,
        command: exe,
        args: ['-config', configPath],
        readyProbe: () => pingInflux(probeUrl, 500),
        readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
      });
    } catch (err) {
      const portsChosenHere = opts.httpPort === undefined && opts.rpcPort === undefined;
      if (portsChosenHere && attempt < 3 && /address already in use/i.test((err as Error).message)) {
        log.warn({ httpPort, rpcPort }, 'influxd port taken meanwhile; retrying with other ports');
        continue;
      }
      throw err;
    }
  }
  const record: StateRecord = { pid: child.pid, ownerPid: process.pid, url, configPath };
  await writeFile(join(dataDir, STATE_FILE), JSON.stringify(record) + '\n');
  try {
    await createInfluxDatabase(url, opts.database);
  } catch (err) {
    await child.stop();
    throw err;
  }
  log.info({ url, dataDir, pid: child.pid }, 'embedded influxd ready');

  const started = child;
  // The folder is free again once this server has exited, whoever stopped it (and not before).
  void started.exited.then(async () => {
    await rm(join(dataDir, STATE_FILE), { force: true });
    await unlock();
  });
  const stopBy = (deadline: number): Promise<StopOutcome> => started.stopBy(deadline);
  return {
    url,
    database: opts.database,
    httpPort,
    rpcPort,
    dataDir,
    configPath,
    pid: child.pid,
    child,
    stopBy,
    stop: async () => {
      await stopBy(Date.now() + 4000);
    },
  };
}
