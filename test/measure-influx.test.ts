// Against a real influxd (Debian's influxdb 1.x), started once for this file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentError } from '../harness/errors.js';
import {
  checkInfluxReachable,
  InfluxSink,
  influxdConfig,
  pingInflux,
  queryInflux,
  REJECTED_FILE,
  startEmbeddedInflux,
  toLine,
  type EmbeddedInflux,
  type Point,
} from '../harness/measure/index.js';
import { freePort, Supervisor } from '../harness/proc/index.js';

const DB = 'ranlab_test';
const T0 = 1_795_000_000_000_000_000n; // 2026-11-18, in ns
let dir: string;
let sup: Supervisor;
let influx: EmbeddedInflux;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ranlab-measure-'));
  sup = new Supervisor();
  influx = await startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: DB });
});

afterAll(async () => {
  await sup?.stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function pt(trial: string, i: number, extra: Partial<Point> = {}): Point {
  return {
    measurement: 'kpm_cell',
    tags: { rig: 'twin', trial, operator: 'opA', bs: 'gnb-a', cell: '1' },
    fields: { prbAvailDl: 106, prbUsedDl: i % 106, prbTotDlPct: (i % 106) / 1.06, thpDlKbps: i * 1.5 },
    timestampNs: T0 + BigInt(i) * 1_000_000n + 123n, // ms apart, with sub-microsecond digits
    ...extra,
  };
}

async function count(trial: string, measurement = 'kpm_cell', field = 'thpDlKbps'): Promise<number> {
  const rows = await queryInflux(influx.url, DB, `SELECT count("${field}") FROM "${measurement}" WHERE "trial" = '${trial}'`);
  return rows.length ? Number(rows[0].count) : 0;
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('embedded influxd', () => {
  it('answers on loopback with the database created, RPC port moved off 8088', async () => {
    expect(influx.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(influx.rpcPort).not.toBe(8088);
    const conf = await readFile(influx.configPath, 'utf8');
    expect(conf).toContain(`bind-address = "127.0.0.1:${influx.rpcPort}"`);
    expect(conf).toContain('reporting-disabled = true');
    await checkInfluxReachable(influx.url, DB);
    expect(conf).toContain(`wal-dir = ${JSON.stringify(join(influx.dataDir, 'wal'))}`);
    for (const sub of ['meta', 'data']) expect(existsSync(join(influx.dataDir, sub))).toBe(true);
  });

  it('never starts a second influxd on a dataDir in use (the start waits for it, and says so), and names a missing influxd', async () => {
    const waits: string[] = [];
    const stop = new AbortController();
    const second = startEmbeddedInflux(sup, {
      dataDir: influx.dataDir,
      database: DB,
      name: 'influx-2',
      signal: stop.signal,
      onWait: (m) => {
        waits.push(m);
        setTimeout(() => stop.abort(), 500);
      },
    });
    await expect(second).rejects.toThrow(/abort/i);
    expect(waits).toEqual([`the embedded influxd on ${influx.dataDir} is in use by another trial; waiting for it to finish`]);
    expect(sup.get('influx-2')).toBeUndefined();
    await checkInfluxReachable(influx.url, DB);
    const err = await startEmbeddedInflux(sup, { dataDir: join(dir, 'x'), database: DB, influxdPath: join(dir, 'no-such-influxd') }).catch((e) => e);
    expect(err).toBeInstanceOf(ComponentError);
    expect(err.message).toBe('influx: influxd not found: install Debian package influxdb (apt-get install influxdb)');
  });

  it('takes over a dataDir whose influxd outlived its controller (idempotent bring-up)', async () => {
    const dataDir = join(dir, 'influx-orphan');
    await mkdir(dataDir, { recursive: true });
    const configPath = join(dataDir, 'influxd.conf');
    const port = await freePort();
    await writeFile(configPath, influxdConfig(dataDir, port, await freePort()));
    const orphan = spawn('influxd', ['-config', configPath], { stdio: 'ignore' });
    const orphanExited = new Promise((r) => orphan.once('exit', r));
    try {
      await until(() => pingInflux(`http://127.0.0.1:${port}`, 300), 15_000, 'orphan influxd');
      const deadOwner = spawnSync(process.execPath, ['-e', '0']).pid;
      await writeFile(join(dataDir, 'ranlab-influxd.json'), JSON.stringify({ pid: orphan.pid, ownerPid: deadOwner, url: `http://127.0.0.1:${port}`, configPath }));
      const fresh = await startEmbeddedInflux(sup, { dataDir, database: DB, name: 'influx-orphan' });
      await orphanExited; // stopped by the bring-up (SIGTERM)
      expect(fresh.pid).not.toBe(orphan.pid);
      await checkInfluxReachable(fresh.url, DB);
      await fresh.stop();
    } finally {
      if (orphan.exitCode === null && orphan.signalCode === null) orphan.kill('SIGKILL');
    }
  });
});

describe('InfluxSink', () => {
  it('round-trips points with exact ns timestamps, tags, typed fields and awkward characters', async () => {
    const sink = await InfluxSink.open({ url: influx.url, database: DB, spoolDir: join(dir, 'spool-rt'), defaultTags: { rig: 'twin' } });
    const points: Point[] = [
      {
        measurement: 'epoch_operator',
        tags: { trial: 'rt', policy: 'pf', operator: 'op A,1=x' },
        fields: { epoch: 7, grantUnits: 3, grantMHz: 15.5, usedUnits: 2.75, throughputMbps: 88.125, balanceTokens: -12.5, costTokens: 1e-7 },
        timestampNs: T0 + 1n,
      },
      {
        measurement: 'odd measurement,name=x',
        tags: { trial: 'rt', 'key with space': 'ünïcødé "q" back\\slash', empty: '' },
        fields: { s: 'say "hi" \\ there', ok: true, big: 1e21 },
        timestampNs: T0 + 999_999_999n,
      },
    ];
    sink.write(points);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ accepted: 2, written: 2, pending: 0, spooled: 0, rejected: 0, refused: 0, connected: true });

    const [a] = await queryInflux(influx.url, DB, `SELECT * FROM "epoch_operator" WHERE "trial" = 'rt'`);
    expect(a).toMatchObject({ time: T0 + 1n, rig: 'twin', policy: 'pf', operator: 'op A,1=x', epoch: 7, grantMHz: 15.5, balanceTokens: -12.5, costTokens: 1e-7 });
    const types = await queryInflux(influx.url, DB, 'SHOW FIELD KEYS FROM "epoch_operator"');
    expect(types.find((r) => r.fieldKey === 'epoch')?.fieldType).toBe('integer');
    expect(types.find((r) => r.fieldKey === 'grantMHz')?.fieldType).toBe('float');

    const [b] = await queryInflux(influx.url, DB, `SELECT * FROM "odd measurement,name=x" WHERE "trial" = 'rt'`);
    expect(b.time).toBe(T0 + 999_999_999n);
    expect(b['key with space']).toBe('ünïcødé "q" back\\slash');
    expect(b.s).toBe('say "hi" \\ there');
    expect(b.ok).toBe(true);
    expect(b.big).toBe(1e21);
    expect(b.empty ?? null).toBeNull();
    await sink.close();
  });

  it('escapes any tag value and string field so that it reads back the same (property, real server)', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', ',', '=', '"', "'", '\\', 'é', '😀', '#', '\t'), minLength: 1, maxLength: 12 });
    const cases = fc.sample(fc.record({ tag: text, key: text, str: text }), { numRuns: 250, seed: 7 });
    const sink = await InfluxSink.open({ url: influx.url, database: DB, spoolDir: join(dir, 'spool-prop'), integerFields: { prop: ['idx'] } });
    const kept: { idx: number; tag: string; key: string; str: string }[] = [];
    cases.forEach((c, idx) => {
      const p: Point = { measurement: 'prop', tags: { trial: 'prop', v: c.tag }, fields: { idx, [`f_${c.key}`]: c.str }, timestampNs: T0 + BigInt(idx) };
      try {
        toLine(p, { integerFields: { prop: ['idx'] } });
      } catch {
        return; // refused up front (a backslash before a delimiter): the sink would refuse it too
      }
      kept.push({ idx, ...c });
      sink.write([p]);
    });
    await sink.flush();
    expect(kept.length).toBeGreaterThan(125); // most cases are writable; the rest were refused up front
    const rows = await queryInflux(influx.url, DB, `SELECT * FROM "prop" WHERE "trial" = 'prop' GROUP BY "v"`);
    expect(rows.length).toBe(kept.length);
    const byIdx = new Map(rows.map((r) => [Number(r.idx), r]));
    for (const c of kept) {
      const r = byIdx.get(c.idx)!;
      expect(r.v).toBe(c.tag);
      expect(r[`f_${c.key}`]).toBe(c.str);
      expect(r.time).toBe(T0 + BigInt(c.idx));
    }
    await sink.close();
  });

  it('sends full batches at once and the rest on the interval; write() never throws on bad points', async () => {
    const sink = await InfluxSink.open({ url: influx.url, database: DB, spoolDir: join(dir, 'spool-batch'), batchSize: 1000, flushIntervalMs: 60_000 });
    sink.write(Array.from({ length: 2500 }, (_, i) => pt('batch', i)));
    // Two full batches go out without waiting for the interval or a flush.
    await until(() => sink.stats().written === 2000, 5000, '2 batches');
    expect(sink.stats()).toMatchObject({ written: 2000, pending: 500 });
    expect(await count('batch')).toBe(2000);

    const bad = [
      pt('batch', 1, { fields: { x: Number.NaN } }),
      pt('batch', 2, { fields: {} }),
      pt('batch', 3, { tags: { trial: 'line\nbreak' } }),
      pt('batch', 4, { timestampNs: 5 as unknown as bigint }),
      null as unknown as Point,
      pt('batch', 5, { measurement: '#comment' }),
      { ...pt('batch', 6), fields: { epoch: 1.5 }, measurement: 'epoch' },
    ];
    expect(() => sink.write(bad)).not.toThrow();
    expect(sink.stats().refused).toBe(bad.length);
    await sink.close();
    expect(await count('batch')).toBe(2500);

    // With a short interval, a partial batch goes out by itself.
    const timed = await InfluxSink.open({ url: influx.url, database: DB, spoolDir: join(dir, 'spool-timed'), batchSize: 1000, flushIntervalMs: 100 });
    timed.write(Array.from({ length: 10 }, (_, i) => pt('timed', i)));
    await until(() => timed.stats().written === 10, 5000, 'interval flush');
    expect(timed.stats()).toMatchObject({ written: 10, pending: 0 });
    expect(await count('timed')).toBe(10);
    await timed.close();
  });

  it('spools to disk when influxd is killed mid-stream, loses nothing, and delivers after it comes back', async () => {
    const spoolDir = join(dir, 'spool-kill');
    const sink = await InfluxSink.open({
      url: influx.url,
      database: DB,
      spoolDir,
      batchSize: 500,
      flushIntervalMs: 50,
      retryMinMs: 100,
      retryMaxMs: 400,
      writeTimeoutMs: 2000,
    });
    const total = 20_000;
    let i = 0;
    const writeChunk = () => {
      sink.write(Array.from({ length: 500 }, () => pt('kill', i++)));
    };
    for (let c = 0; c < 10; c++) {
      writeChunk();
      await new Promise((r) => setTimeout(r, 20));
    }
    process.kill(influx.pid, 'SIGKILL');
    await influx.child.exited;
    while (i < total) {
      writeChunk();
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => sink.stats().pending === 0, 5000, 'memory queue to reach the spool');
    const down = sink.stats();
    expect(down.connected).toBe(false);
    expect(down.spooled).toBeGreaterThan(0);
    expect(down.written + down.spooled).toBe(total);
    const segments = (await readdir(spoolDir)).filter((f) => f.endsWith('.lp'));
    expect(segments.length).toBeGreaterThan(0);
    const onDisk = (await Promise.all(segments.map((f) => readFile(join(spoolDir, f), 'utf8')))).join('').split('\n').filter(Boolean);
    expect(onDisk.length).toBe(down.spooled);
    expect(onDisk[0]).toMatch(/^kpm_cell,bs=gnb-a,cell=1,operator=opA,rig=twin,trial=kill prbAvailDl=106,/);

    const err = await sink.flush().catch((e) => e);
    expect(err).toBeInstanceOf(ComponentError);
    expect(err.code).toBe('INFLUX_WRITE_FAILED');
    expect(err.message).toContain(`points kept in spool ${spoolDir}`);

    // Back on the same dataDir and port: the sink delivers the spool by itself.
    influx = await startEmbeddedInflux(sup, { dataDir: influx.dataDir, database: DB, httpPort: influx.httpPort });
    await until(() => sink.stats().spooled === 0, 15_000, 'spool delivery');
    await sink.flush();
    expect(sink.stats()).toMatchObject({ written: total, spooled: 0, pending: 0, connected: true });
    expect(await count('kill')).toBe(total);
    expect((await readdir(spoolDir)).filter((f) => f.endsWith('.lp'))).toEqual([]);
    await sink.close();
  });

  it('a new sink delivers a spool left by an earlier run (including a crash mid-append)', async () => {
    const spoolDir = join(dir, 'spool-leftover');
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const first = await InfluxSink.open({ url: deadUrl, database: DB, spoolDir, batchSize: 1000 });
    first.write(Array.from({ length: 3000 }, (_, i) => pt('leftover', i)));
    await expect(first.close()).rejects.toMatchObject({ code: 'INFLUX_WRITE_FAILED' });

    // A segment a crashed process was appending to: 10 whole lines and a partial one.
    const lines = Array.from({ length: 11 }, (_, k) => `kpm_cell,rig=twin,trial=leftover thpDlKbps=${k} ${T0 + 10_000_000_000n + BigInt(k)}`);
    await writeFile(join(spoolDir, '000000000099.lp'), lines.slice(0, 10).join('\n') + '\n' + lines[10].slice(0, 20));
    // ...and its lock, naming a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(join(spoolDir, '.lock'), String(gone));

    const sink = await InfluxSink.open({ url: influx.url, database: DB, spoolDir, flushIntervalMs: 100 });
    expect(sink.stats().spooled).toBe(3010);
    await until(() => sink.stats().spooled === 0, 10_000, 'leftover delivery');
    await sink.flush();
    expect(sink.stats().written).toBe(3010);
    expect(await count('leftover')).toBe(3010);
    await sink.close();
    expect((await readdir(spoolDir)).filter((f) => f.endsWith('.lp') || f === '.lock')).toEqual([]);
  });

  it('keeps points the server refuses (field type conflict) aside without blocking the rest', async () => {
    const spoolDir = join(dir, 'spool-conflict');
    const asInt = await InfluxSink.open({ url: influx.url, database: DB, spoolDir, integerFields: { conflict: ['n'] } });
    asInt.write([{ measurement: 'conflict', tags: { trial: 'conflict' }, fields: { n: 1 }, timestampNs: T0 }]);
    await asInt.close();
    const sink = await InfluxSink.open({ url: influx.url, database: DB, spoolDir });
    sink.write([{ measurement: 'conflict', tags: { trial: 'conflict' }, fields: { n: 2.5 }, timestampNs: T0 + 1n }]);
    const err = await sink.flush().catch((e) => e);
    expect(err).toMatchObject({ code: 'INFLUX_REJECTED', component: 'influx' });
    expect(err.message).toContain('field type conflict');
    expect(await readFile(join(spoolDir, REJECTED_FILE), 'utf8')).toContain(`conflict,trial=conflict n=2.5 ${T0 + 1n}`);
    sink.write([pt('after-conflict', 1)]);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ rejected: 1, written: 1, spooled: 0 });
    await sink.close();
  });

  it('refuses a spool folder another sink holds', async () => {
    const spoolDir = join(dir, 'spool-shared');
    const a = await InfluxSink.open({ url: influx.url, database: DB, spoolDir });
    await expect(InfluxSink.open({ url: influx.url, database: DB, spoolDir })).rejects.toMatchObject({ code: 'SPOOL_IN_USE' });
    await a.close();
  });
});

describe('checkReachable', () => {
  it('passes against the live server and names a missing database', async () => {
    const sink = new InfluxSink({ url: influx.url, database: DB, spoolDir: join(dir, 'spool-check') });
    await sink.checkReachable();
    await sink.close();
    await expect(checkInfluxReachable(influx.url, 'nope')).rejects.toMatchObject({ code: 'INFLUX_NO_DATABASE' });
  });

  it('fails fast with a clear message when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const t = Date.now();
    const err = await checkInfluxReachable(url, DB).catch((e) => e);
    expect(Date.now() - t).toBeLessThan(3000);
    expect(err).toBeInstanceOf(ComponentError);
    expect(err.code).toBe('INFLUX_UNREACHABLE');
    expect(err.message).toMatch(new RegExp(`^influx: unreachable at ${url.replace(/\./g, '\\.')}: .*ECONNREFUSED`));
  });

  it('fails within its timeout when the server accepts but never answers, without leaking credentials', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const t = Date.now();
      const err = await checkInfluxReachable(`http://ranlab:s3cret@127.0.0.1:${port}`, DB, 1000).catch((e) => e);
      const took = Date.now() - t;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(2500);
      expect(err.message).toBe(`influx: unreachable at http://127.0.0.1:${port}: timed out after 1000 ms`);
      expect(err.message).not.toContain('s3cret');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
