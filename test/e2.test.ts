// The e2 driver against the twin base station, each agent a real separate process started
// as the controller starts it: `node dist/harness/cli/main.js twin-gnb --config <json>`,
// over real gRPC with mutual TLS on loopback (certificates made as a trial makes them).
// Needs a build (npm run build / npx tsc -p tsconfig.json).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTrialCerts, readTlsFiles, type TlsPems, type TrialCerts } from '../harness/certs/index.js';
import { ComponentError, ConfigError } from '../harness/errors.js';
import { nowNs } from '../harness/measure/types.js';
import { cliEntry, packageRoot } from '../harness/paths.js';
import { freePort } from '../harness/proc/index.js';
import { loadE2Proto } from '../harness/wire/index.js';
import { createBaseStation, type BaseStation, type KpmIndication } from '../harness/ran/index.js';
import type { AirTransmission, AirUeReading } from '../harness/twin/air.js';
import { prbRangeMHz } from '../harness/nr/index.js';
import { evaluateCell, psdPer180kHzDbm, type Carrier } from '../harness/twin/radio.js';

let tmp: string;
let certs: TrialCerts;
let controllerTls: TlsPems;
const NODE_IDS = ['gnb-a', 'gnb-a2', 'gnb-b2', 'gnb-v', 'gnb-k', 'gnb-t', 'gnb-l', 'gnb-c', 'gnb-x', 'gnb-ul'];
const running = new Set<Agent>();
const drivers: BaseStation[] = [];

interface Agent {
  child: ChildProcessWithoutNullStreams;
  address: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

const cell = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  rat: 'NR',
  band: 'n46',
  carrierMHz: 5170,
  bandwidthMHz: 40,
  scsKHz: 15,
  pci: 101,
  txPowerDbm: 30,
  ...extra,
});
const carrier: Carrier = { rat: 'NR', carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15, prbTotal: 216, txPowerDbm: 30 };

function config(nodeId: string, operator: string, airDir: string, cellId: string, ues: { id: string; pathLossDb: number; interferenceLossDb: number }[]) {
  return {
    nodeId,
    operator,
    listen: '127.0.0.1:0',
    tls: certs.agents.get(nodeId)!,
    airDir,
    cells: [cell(cellId)],
    ues: ues.map((u) => ({ ...u, cellId })),
  };
}

function launch(cfg: unknown, name: string): { child: ChildProcessWithoutNullStreams; exited: Agent['exited']; out: { stdout: string; stderr: string } } {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const child = spawn(process.execPath, [cliEntry, 'twin-gnb', '--config', file], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, RANLAB_LOG_LEVEL: 'warn' },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exited, out };
}

async function startAgent(cfg: { nodeId: string }): Promise<Agent> {
  const { child, exited, out } = launch(cfg, cfg.nodeId);
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent not ready after 15 s:\n${out.stderr}`)), 15_000);
    const onData = () => {
      const m = /^E2 agent (\S+) listening on (\S+:\d+)\n/.exec(out.stdout);
      if (m) {
        clearTimeout(timer);
        expect(m[1]).toBe(cfg.nodeId);
        resolve(m[2]);
      }
    };
    child.stdout.on('data', onData);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`agent exited (${e.code ?? e.signal}) before ready:\n${out.stderr}`));
    });
  });
  const agent: Agent = { child, address, exited, stdout: () => out.stdout, stderr: () => out.stderr };
  running.add(agent);
  void exited.then(() => running.delete(agent));
  return agent;
}

function driver(id: string, address: string): BaseStation {
  const d = createBaseStation(id, address, { tls: controllerTls });
  drivers.push(d);
  return d;
}

async function until<T>(fn: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

beforeAll(async () => {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: build first (npm run build or npx tsc -p tsconfig.json)`);
  const built = statSync(join(packageRoot, 'dist', 'harness', 'twin', 'gnb.js')).mtimeMs;
  for (const src of ['harness/twin/gnb.ts', 'harness/twin/gnb/agent.ts', 'harness/twin/gnb/kpm.ts', 'harness/twin/gnb/kpm-stream.ts', 'harness/twin/radio/cell.ts', 'harness/ran/e2.ts', 'harness/wire/e2.ts', 'harness/twin/air.ts']) {
    if (statSync(join(packageRoot, src)).mtimeMs > built) throw new Error(`dist is older than ${src}: rebuild (npx tsc -p tsconfig.json)`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-e2-'));
  certs = await makeTrialCerts(join(tmp, 'certs'), NODE_IDS);
  controllerTls = readTlsFiles(certs.controller, 'controller');
});

afterEach(() => {
  for (const d of drivers.splice(0)) d.close();
});

afterAll(async () => {
  for (const a of running) a.child.kill('SIGKILL');
  await Promise.all([...running].map((a) => a.exited));
  rmSync(tmp, { recursive: true, force: true });
});

describe('e2 driver <-> twin gNB agent (separate process, real gRPC)', () => {
  it('setup, control with ack time, KPM at a period, air readings, shutdown', async () => {
    const air = join(tmp, 'air1');
    const agent = await startAgent(config('gnb-a', 'op-a', air, 'a1', [
      { id: 'ue-a1', pathLossDb: 95, interferenceLossDb: 100 },
      { id: 'ue-a2', pathLossDb: 100, interferenceLossDb: 103 },
    ]));
    expect(agent.stdout().split('\n').filter(Boolean)).toHaveLength(1);
    const bs = driver('gnb-a', agent.address);

    const setup = await bs.setup();
    expect(setup).toMatchObject({ nodeId: 'gnb-a', operator: 'op-a' });
    expect(setup.cells).toEqual([
      { id: 'a1', rat: 'NR', band: 'n46', carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15, pci: 101, prbTotal: 216, on: false, grants: 'prb-range' },
    ]);
    expect(setup.ranFunctions).toEqual([
      { id: 2, name: 'ORAN-E2SM-KPM', oid: '1.3.6.1.4.1.53148.1.2.2.2' },
      { id: 3, name: 'ORAN-E2SM-RC', oid: '1.3.6.1.4.1.53148.1.1.2.3' },
    ]);
    // Safe state on the air: off.
    expect(readJson<AirTransmission>(join(air, 'tx', 'a1.json')).on).toBe(false);

    const before = nowNs();
    const q = await bs.control({ kind: 'prbQuota', cellId: 'a1', startPrb: 20, nPrb: 100 });
    const on = await bs.control({ kind: 'cellState', cellId: 'a1', on: true });
    const after = nowNs();
    expect(q.cellId).toBe('a1');
    for (const ack of [q, on]) {
      expect(ack.effectiveNs).toBeGreaterThanOrEqual(before - 5_000_000n);
      expect(ack.effectiveNs).toBeLessThanOrEqual(after + 5_000_000n);
    }
    expect(on.effectiveNs).toBeGreaterThanOrEqual(q.effectiveNs);
    expect((await bs.setup()).cells[0].on).toBe(true);
    // The ack means applied in the agent; the agent publishes it to the air in the background.
    const tx = await until(() => {
      const t = readJson<AirTransmission>(join(air, 'tx', 'a1.json'));
      return t.on && t.lowMHz > 5170 - 216 * 0.09 && t;
    }, 2000, 'the quota and cell on, published to the air');
    const range = prbRangeMHz(carrier, 20, 100);
    expect(tx).toMatchObject({ cellId: 'a1', operator: 'op-a', on: true });
    expect(tx.lowMHz).toBeCloseTo(range.lowMHz, 9);
    expect(tx.highMHz).toBeCloseTo(range.highMHz, 9);
    expect(tx.lowMHz).toBeCloseTo(5170 - 216 * 0.09 + 20 * 0.18, 9);

    const got: { ind: KpmIndication; at: number }[] = [];
    const errors: Error[] = [];
    const t0 = Date.now();
    const sub = bs.subscribe(100, (ind) => got.push({ ind, at: Date.now() }), (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 1050));
    sub.close();
    await new Promise((r) => setTimeout(r, 150));
    expect(errors).toEqual([]);
    expect(got.length).toBeGreaterThanOrEqual(8);
    expect(got.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < got.length; i++) expect(got[i].ind.timestampNs - got[i - 1].ind.timestampNs).toBe(100_000_000n);
    expect(got[0].at - t0).toBeGreaterThanOrEqual(90);
    const ind = got.at(-1)!.ind;
    expect(ind).toMatchObject({ nodeId: 'gnb-a', cellId: 'a1', periodMs: 100, prbAvailDl: 100, prbUsedDl: 100 });
    expect(ind.prbTotDlPct).toBeCloseTo((100 * 100) / 216, 6);
    // The numbers are the radio model's, nothing else.
    const model = evaluateCell({
      cellId: 'a1',
      operator: 'op-a',
      carrier,
      on: true,
      quota: { startPrb: 20, nPrb: 100 },
      ues: [
        { id: 'ue-a1', pathLossDb: 95, interferenceLossDb: 100 },
        { id: 'ue-a2', pathLossDb: 100, interferenceLossDb: 103 },
      ],
      air: [],
    });
    expect(ind.thpDlKbps).toBeCloseTo(model.thpDlKbps, 6);
    expect(ind.ues.map((u) => u.ueId)).toEqual(['ue-a1', 'ue-a2']);
    expect(ind.ues[0]).toMatchObject({ cqi: model.ues[0].cqi, prbUsedDl: 50 });
    expect(ind.ues[0].thpDlKbps).toBeCloseTo(model.ues[0].thpDlKbps, 6);
    expect(ind.ues[0].sinrDb).toBeCloseTo(model.ues[0].sinrDb, 6);
    expect(ind.ues[0].rsrpDbm).toBeCloseTo(model.ues[0].rsrpDbm, 6);
    expect(ind.ues[0].thpDlKbps).toBeGreaterThan(ind.ues[1].thpDlKbps);
    // The uplink travels too: DRB.UEThpUl, RRU.PrbUsedUl, SINR.UL per UE, and per cell.
    expect(ind).toMatchObject({ prbAvailUl: 100, prbUsedUl: 100 });
    expect(ind.thpUlKbps).toBeCloseTo(model.thpUlKbps, 6);
    expect(ind.ues[0].prbUsedUl).toBe(50);
    expect(ind.ues[0].thpUlKbps).toBeCloseTo(model.ues[0].thpUlKbps, 6);
    expect(ind.ues[1].sinrUlDb).toBeCloseTo(model.ues[1].sinrUlDb, 6);
    expect(ind.ues[0].thpUlKbps).toBeGreaterThan(0);
    // The modem side of the twin reads its serving-cell readings from the air.
    const ue = readJson<AirUeReading>(join(air, 'ue', 'ue-a1.json'));
    expect(ue).toMatchObject({ ueId: 'ue-a1', cellId: 'a1', operator: 'op-a', rat: 'NR', pci: 101, arfcn: 744_667, inService: true });
    expect(ue.throughputKbps).toBeCloseTo(model.ues[0].thpDlKbps, 6);
    expect(ue.ulThroughputKbps).toBeCloseTo(model.ues[0].thpUlKbps, 6);
    expect(ue.txPowerDbm).toBeCloseTo(model.ues[0].puschPowerDbm, 6);

    // shutdown: every cell off, on the node and on the air.
    expect((await bs.shutdown()).notConfirmedOff).toEqual([]);
    expect((await bs.setup()).cells.every((c) => !c.on)).toBe(true);
    expect(readJson<AirTransmission>(join(air, 'tx', 'a1.json')).on).toBe(false);
    // A KPM stream from an off cell reports zeros.
    const zeros: KpmIndication[] = [];
    const sub2 = bs.subscribe(20, (i) => zeros.push(i), () => undefined);
    await until(() => zeros.length >= 2, 3000, 'indications from the off cell');
    sub2.close();
    expect(zeros[1]).toMatchObject({ prbAvailDl: 0, prbUsedDl: 0, prbTotDlPct: 0, thpDlKbps: 0 });
    expect(zeros[1].ues.every((u) => u.thpDlKbps === 0 && u.cqi === 0 && u.thpUlKbps === 0)).toBe(true);
    expect(zeros[1]).toMatchObject({ prbAvailUl: 0, prbUsedUl: 0, thpUlKbps: 0 });
    expect(readJson<AirUeReading>(join(air, 'ue', 'ue-a1.json')).inService).toBe(false);
  });

  it('two agents sharing the air: overlapping quotas give lower throughput than disjoint ones', async () => {
    const air = join(tmp, 'air2');
    const a = await startAgent(config('gnb-a2', 'op-a', air, 'a2c', [{ id: 'ue-a21', pathLossDb: 95, interferenceLossDb: 100 }]));
    const b = await startAgent(config('gnb-b2', 'op-b', air, 'b2c', [{ id: 'ue-b21', pathLossDb: 96, interferenceLossDb: 101 }]));
    const A = driver('gnb-a2', a.address);
    const B = driver('gnb-b2', b.address);
    await Promise.all([A.setup(), B.setup()]);
    const seen: Record<string, KpmIndication[]> = { a2c: [], b2c: [] };
    const streamErrors: Error[] = [];
    const fail = (e: Error) => streamErrors.push(e);
    const subs = [A.subscribe(50, (i) => seen[i.cellId].push(i), fail), B.subscribe(50, (i) => seen[i.cellId].push(i), fail)];

    // Throughput of each cell over the first 3 periods that start after `since`.
    const measure = async (since: bigint) => {
      const pick = (id: string) => seen[id].filter((i) => i.timestampNs >= since);
      await until(() => pick('a2c').length >= 3 && pick('b2c').length >= 3, 5000, 'indications');
      const mean = (id: string) => pick(id).slice(0, 3).reduce((s, i) => s + i.thpDlKbps, 0) / 3;
      return { a: mean('a2c'), b: mean('b2c') };
    };
    const apply = async (qa: number, qb: number, n: number) => {
      const acks = await Promise.all([
        A.control({ kind: 'prbQuota', cellId: 'a2c', startPrb: qa, nPrb: n }),
        B.control({ kind: 'prbQuota', cellId: 'b2c', startPrb: qb, nPrb: n }),
        A.control({ kind: 'cellState', cellId: 'a2c', on: true }),
        B.control({ kind: 'cellState', cellId: 'b2c', on: true }),
      ]);
      // Each agent publishes an applied control to the air in the background, within
      // milliseconds of its ack: measure from 20 ms after the last ack.
      await new Promise((r) => setTimeout(r, 20));
      return acks.reduce((m, k) => (k.effectiveNs > m ? k.effectiveNs : m), 0n) + 20_000_000n;
    };

    const disjoint = await measure(await apply(0, 108, 108));
    const overlap = await measure(await apply(0, 54, 108)); // 54 of 108 PRBs shared
    const full = await measure(await apply(0, 0, 108));
    for (const s of subs) s.close();

    expect(streamErrors).toEqual([]);
    expect(disjoint.a).toBeGreaterThan(0);
    expect(overlap.a).toBeLessThan(disjoint.a * 0.85);
    expect(overlap.b).toBeLessThan(disjoint.b * 0.85);
    expect(full.a).toBeLessThan(overlap.a);
    expect(full.a + full.b).toBeLessThan(0.5 * (disjoint.a + disjoint.b));

    // And it is exactly the radio model with the other operator's transmission from the air.
    const other = readJson<AirTransmission>(join(air, 'tx', 'b2c.json'));
    expect(other).toMatchObject({ on: true, operator: 'op-b' });
    expect(other.psdDbmPerPrb).toBeCloseTo(psdPer180kHzDbm(carrier), 9);
    const model = evaluateCell({
      cellId: 'a2c',
      operator: 'op-a',
      carrier,
      on: true,
      quota: { startPrb: 0, nPrb: 108 },
      ues: [{ id: 'ue-a21', pathLossDb: 95, interferenceLossDb: 100 }],
      air: [other],
    });
    expect(full.a).toBeCloseTo(model.thpDlKbps, 3);
  });

  it('halving a UE\'s grant halves its uplink throughput (model tolerance below P_CMAX: 1 %)', async () => {
    // Path loss 95 dB: 50 PRBs need -90 + 17 + 95 = 22 dBm < 23 dBm, so power control keeps
    // the power per PRB, and the uplink rate is proportional to the PRBs granted.
    const agent = await startAgent(config('gnb-ul', 'op-a', join(tmp, 'air-ul'), 'ul1', [{ id: 'ue-ul', pathLossDb: 95, interferenceLossDb: 100 }]));
    const bs = driver('gnb-ul', agent.address);
    await bs.setup();
    const seen: KpmIndication[] = [];
    const errors: Error[] = [];
    const sub = bs.subscribe(50, (i) => seen.push(i), (e) => errors.push(e));
    const ulAfter = async (nPrb: number) => {
      await bs.control({ kind: 'prbQuota', cellId: 'ul1', startPrb: 10, nPrb });
      const on = await bs.control({ kind: 'cellState', cellId: 'ul1', on: true });
      // Periods that start after both changes took effect.
      const pick = () => seen.filter((i) => i.timestampNs >= on.effectiveNs);
      await until(() => pick().length >= 3, 5000, 'indications');
      const ues = pick().slice(0, 3).map((i) => i.ues[0]!);
      return ues.reduce((s, u) => s + (u.thpUlKbps ?? Number.NaN), 0) / ues.length;
    };
    const full = await ulAfter(50);
    const half = await ulAfter(25);
    sub.close();
    expect(errors).toEqual([]);
    expect(full).toBeGreaterThan(1000);
    const ratio = half / full;
    console.info(`uplink: 50 PRBs ${full.toFixed(1)} kbit/s, 25 PRBs ${half.toFixed(1)} kbit/s, ratio ${ratio.toFixed(4)}`);
    expect(Math.abs(ratio - 0.5)).toBeLessThan(0.005);
  });

  it('invalid control is refused with a clear error; a hostile peer gets errors, not a crash', async () => {
    const agent = await startAgent(config('gnb-v', 'op-a', join(tmp, 'air3'), 'v1', []));
    const bs = driver('gnb-v', agent.address);
    await bs.setup();

    const tooFar = await bs.control({ kind: 'prbQuota', cellId: 'v1', startPrb: 200, nPrb: 17 }).catch((e: unknown) => e);
    expect(tooFar).toBeInstanceOf(ComponentError);
    expect((tooFar as ComponentError).code).toBe('CONTROL_REJECTED');
    expect((tooFar as ComponentError).component).toBe('gnb-v');
    expect((tooFar as Error).message).toMatch(/^gnb-v: control PRB quota 200\+17 on cell v1 rejected: INVALID_ARGUMENT: .*216 PRBs/);

    const unknown = await bs.control({ kind: 'cellState', cellId: 'nope', on: true }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ComponentError);
    expect((unknown as Error).message).toMatch(/gnb-v: .*NOT_FOUND: no cell "nope" at node gnb-v/);

    expect(() => bs.subscribe(5, () => undefined, () => undefined)).toThrow(ConfigError);
    expect(() => bs.subscribe(60_001, () => undefined, () => undefined)).toThrow(ConfigError);
    await expect(bs.control({ kind: 'prbQuota', cellId: 'v1', startPrb: -1, nPrb: 3 })).rejects.toThrow(/gnb-v: .*non-negative integers/);

    // A raw client that ignores the driver's checks (holding the controller's certificate).
    const Raw = loadE2Proto().client;
    const raw = new Raw(agent.address, grpc.credentials.createSsl(controllerTls.ca, controllerTls.key, controllerTls.cert), {
      'grpc.ssl_target_name_override': 'gnb-v',
    }) as unknown as Record<string, (...a: unknown[]) => unknown> & grpc.Client;
    const unary = (method: string, req: unknown) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        (raw[method] as (r: unknown, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void).call(
          raw,
          req,
          { deadline: Date.now() + 3000 },
          (e) => resolve(e),
        ),
      );
    const stream = (req: unknown) =>
      new Promise<grpc.ServiceError>((resolve) => {
        const call = (raw.Subscribe as (r: unknown) => grpc.ClientReadableStream<unknown>).call(raw, req);
        call.on('data', () => undefined);
        call.on('error', (e: grpc.ServiceError) => resolve(e));
      });
    expect((await unary('Control', { ranFunctionId: 3 }))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await unary('Control', { ranFunctionId: 2, cellState: { cellId: 'v1', on: true } }))?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await unary('Control', { ranFunctionId: 3, prbQuota: { cellId: 'v1', startPrb: 4_000_000_000, nPrb: 4_000_000_000 } }))?.code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    const longId = await unary('Control', { ranFunctionId: 3, cellState: { cellId: 'x'.repeat(10_000), on: true } });
    expect(longId?.code).toBe(grpc.status.NOT_FOUND);
    expect(longId!.details.length).toBeLessThan(300);
    expect((await unary('Control', { ranFunctionId: 3, cellState: { cellId: 'x'.repeat(100_000), on: true } }))?.code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );
    expect((await stream({ ranFunctionId: 2, granularityPeriodMs: 5 })).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await stream({ ranFunctionId: 2, granularityPeriodMs: 70_000 })).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await stream({ ranFunctionId: 3, granularityPeriodMs: 100 })).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await stream({ ranFunctionId: 2, granularityPeriodMs: 100, cellIds: ['zz'] })).code).toBe(grpc.status.NOT_FOUND);
    raw.close();

    // Subscriptions are bounded: the 17th is refused, and closing one frees a place.
    const subs = Array.from({ length: 16 }, () => bs.subscribe(60_000, () => undefined, () => undefined));
    await new Promise((r) => setTimeout(r, 300));
    const refused: Error[] = [];
    bs.subscribe(60_000, () => undefined, (e) => refused.push(e));
    await until(() => refused.length > 0, 3000, 'refusal');
    expect((refused[0] as ComponentError).code).toBe('SUBSCRIBE_REJECTED');
    expect(refused[0].message).toMatch(/^gnb-v: KPM subscription at .* rejected: RESOURCE_EXHAUSTED/);
    for (const x of subs) x.close();
    await new Promise((r) => setTimeout(r, 300));
    const again: KpmIndication[] = [];
    const sub = bs.subscribe(10, (i) => again.push(i), () => undefined);
    await until(() => again.length >= 3, 3000, 'indications after freeing subscriptions');
    sub.close();

    // Still serving, cell still in its safe state.
    expect((await bs.setup()).cells[0].on).toBe(false);
    expect(running.has(agent)).toBe(true);
  });

  it('killing the agent process: onError fires once, naming the base station', async () => {
    const agent = await startAgent(config('gnb-k', 'op-a', join(tmp, 'air4'), 'k1', [{ id: 'ue-k1', pathLossDb: 90, interferenceLossDb: 100 }]));
    const bs = driver('gnb-k', agent.address);
    await bs.setup();
    const errors: Error[] = [];
    let n = 0;
    bs.subscribe(50, () => n++, (e) => errors.push(e));
    await until(() => n >= 2, 3000, 'indications');
    const killedAt = Date.now();
    agent.child.kill('SIGKILL');
    await until(() => errors.length > 0, 5000, 'onError');
    const detectMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 300));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ComponentError);
    expect((errors[0] as ComponentError).component).toBe('gnb-k');
    expect((errors[0] as ComponentError).code).toBe('STREAM_BROKEN');
    expect(errors[0].message).toMatch(/^gnb-k: KPM stream from 127\.0\.0\.1:\d+ broke/);
    expect(detectMs).toBeLessThan(2000);

    // Control against the dead agent: a fast ComponentError; shutdown: bounded, never throws.
    const c = await bs.control({ kind: 'cellState', cellId: 'k1', on: false }).catch((e: unknown) => e);
    expect(c).toBeInstanceOf(ComponentError);
    expect((c as ComponentError).code).toBe('UNREACHABLE');
    const t = Date.now();
    // The dead agent's cell is reported, by name, as not confirmed off.
    expect((await bs.shutdown()).notConfirmedOff.map((c) => c.cellId)).toEqual(['k1']);
    expect(Date.now() - t).toBeLessThan(3500);
  });

  it('SIGTERM and lifeline close: cells off on the air, stream ends, exit 0', async () => {
    const air = join(tmp, 'air5');
    const agent = await startAgent(config('gnb-t', 'op-a', air, 't1', [{ id: 'ue-t1', pathLossDb: 90, interferenceLossDb: 100 }]));
    const bs = driver('gnb-t', agent.address);
    await bs.setup();
    await bs.control({ kind: 'prbQuota', cellId: 't1', startPrb: 0, nPrb: 50 });
    await bs.control({ kind: 'cellState', cellId: 't1', on: true });
    await until(() => readJson<AirTransmission>(join(air, 'tx', 't1.json')).on, 2000, 'cell on, published to the air');
    const errors: Error[] = [];
    bs.subscribe(50, () => undefined, (e) => errors.push(e));
    await new Promise((r) => setTimeout(r, 120));
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(readJson<AirTransmission>(join(air, 'tx', 't1.json')).on).toBe(false);
    expect(readJson<AirUeReading>(join(air, 'ue', 'ue-t1.json')).inService).toBe(false);
    await until(() => errors.length > 0, 3000, 'onError');
    expect(errors[0].message).toMatch(/^gnb-t: /);

    // The controller dies: the agent's stdin lifeline closes and it stops the same way.
    const air2 = join(tmp, 'air6');
    const orphan = await startAgent(config('gnb-l', 'op-a', air2, 'l1', []));
    const bl = driver('gnb-l', orphan.address);
    await bl.control({ kind: 'prbQuota', cellId: 'l1', startPrb: 0, nPrb: 50 });
    await bl.control({ kind: 'cellState', cellId: 'l1', on: true });
    orphan.child.stdin.end();
    expect(await orphan.exited).toEqual({ code: 0, signal: null });
    expect(readJson<AirTransmission>(join(air2, 'tx', 'l1.json')).on).toBe(false);
  });

  it('unreachable address: ComponentError UNREACHABLE, fast', async () => {
    const port = await freePort();
    const bs = driver('gnb-x', `127.0.0.1:${port}`);
    const t = Date.now();
    const err = await bs.setup().catch((e: unknown) => e);
    expect(Date.now() - t).toBeLessThan(1000);
    expect(err).toBeInstanceOf(ComponentError);
    expect((err as ComponentError).code).toBe('UNREACHABLE');
    expect((err as ComponentError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(new RegExp(`^gnb-x: unreachable at 127\\.0\\.0\\.1:${port}: UNAVAILABLE`));
    const t2 = Date.now();
    expect((await bs.shutdown()).notConfirmedOff.map((c) => c.cellId)).toEqual(['gnb-x/*']);
    expect(Date.now() - t2).toBeLessThan(3500);
  });

  it('a bad config: exit code 2 and an error naming the file and the path inside it', async () => {
    const bad = config('gnb-c', 'op-a', join(tmp, 'air7'), 'c1', [{ id: 'u', pathLossDb: 90, interferenceLossDb: 100 }]);
    (bad.cells[0] as Record<string, unknown>).bandwidthMHz = 100;
    const open = { ...config('gnb-c', 'op-a', join(tmp, 'air7'), 'c1', []), listen: '0.0.0.0:0' };
    const traversal = config('gnb-c', 'op-a', join(tmp, 'air7'), '../../etc', []);
    const runs = [launch(bad, 'bad1'), launch(open, 'bad2'), launch(traversal, 'bad3')];
    const codes = await Promise.all(runs.map((r) => r.exited));
    expect(codes.map((c) => c.code)).toEqual([2, 2, 2]);
    expect(runs.map((r) => r.out.stdout)).toEqual(['', '', '']);
    expect(runs[0].out.stderr).toMatch(/bad1\.json: cells\[0\]\.bandwidthMHz: NR FR1 does not define a 100 MHz carrier at 15 kHz/);
    expect(runs[1].out.stderr).toMatch(/bad2\.json: listen: expected a loopback host:port/);
    expect(runs[2].out.stderr).toMatch(/bad3\.json: cells\[0\]\.id: /);
  });
});
