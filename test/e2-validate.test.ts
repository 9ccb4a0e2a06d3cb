// A hostile base-station agent (test/helpers/evil-e2.ts: a peer serving proto/e2.proto over
// mutual TLS, written from the proto) sends every kind of value no radio could produce. The
// e2 driver must refuse each with an AgentProtocolError naming the agent and the field (exit
// 3), pass nothing out of range on, and bound the rate of indications; a trial against such
// an agent ends with exit 3 and nothing out of range in InfluxDB.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentFiles, controllerFiles, initLabCerts, readTlsFiles, type TlsPems } from '../harness/certs/index.js';
import { AgentProtocolError } from '../harness/ran/e2-validate.js';
import { peakRateKbps } from '../harness/ran/bounds.js';
import { createBaseStation, type BaseStation, type KpmIndication } from '../harness/ran/index.js';
import { EvilAgent, type EvilCell, type Indication } from './helpers/evil-e2.js';
import { influxQuery, prepareRig, runCli, startTrialEnv, type TrialEnv } from './helpers/rigenv.js';

let tmp: string;
let ctl: TlsPems;
const agents: EvilAgent[] = [];
const drivers: BaseStation[] = [];

const CELL: EvilCell = { cellId: 'gnb-b-c1', rat: 'NR', band: 'n46', carrierMhz: 5170, bandwidthMhz: 40, scsKhz: 15, pci: 202, prbTotal: 216, arfcn: 744_667 };
const RIG_CELL = { id: 'gnb-b-c1', rat: 'NR' as const, carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15 };
const PEAK_KBPS = peakRateKbps(216, 15);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-evil-'));
  await initLabCerts(join(tmp, 'lab'), { agents: [{ id: 'gnb-a' }, { id: 'gnb-b' }] });
  ctl = readTlsFiles(controllerFiles(join(tmp, 'lab')), 'controller');
});
afterEach(() => {
  for (const d of drivers.splice(0)) d.close();
  for (const a of agents.splice(0)) a.stop();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function evil(): Promise<{ agent: EvilAgent; bs: BaseStation }> {
  const agent = new EvilAgent({ nodeId: 'gnb-b', operator: 'op-b', cells: [CELL], tls: agentFiles(join(tmp, 'lab'), 'gnb-b') });
  agents.push(agent);
  const address = await agent.start();
  const bs = createBaseStation('gnb-b', address, { tls: ctl, expect: { nodeId: 'gnb-b', operator: 'op-b', cells: [RIG_CELL] } });
  drivers.push(bs);
  return { agent, bs };
}

async function until<T>(fn: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const setRecord = (recs: Indication['cellRecords'], name: string, v: { integer?: string; real?: number }) =>
  recs.map((r) => (r.name === name ? { name, ...v } : r));

/** Every number an accepted indication carries is within the cell's bounds. */
function inBounds(i: KpmIndication): boolean {
  // Absent readings (undefined) pass: the controller stores only what the agent reported.
  const ok = (v: number | undefined, lo: number, hi: number) => v === undefined || (Number.isFinite(v) && v >= lo && v <= hi);
  return (
    i.nodeId === 'gnb-b' &&
    i.cellId === 'gnb-b-c1' &&
    ok(i.prbAvailDl, 0, 216) &&
    ok(i.prbUsedDl, 0, 216) &&
    ok(i.thpDlKbps, 0, PEAK_KBPS) &&
    i.ues.every((u) => ok(u.cqi, 0, 15) && ok(u.thpDlKbps, 0, PEAK_KBPS) && ok(u.prbUsedDl, 0, 216))
  );
}

const HOUR_NS = 3_600_000_000_000n;

describe('the physical bounds', () => {
  it('peak rate: the TS 38.306 formula at its largest factors (the published 2.34 Gbit/s of 100 MHz, 30 kHz, 4 layers, 256QAM, scaled)', () => {
    // 4 layers, Qm 8, OH 0.14 give about 2.337 Gbit/s for 273 PRBs at 30 kHz; the bound takes
    // 8 layers, Qm 10 and no overhead: x 2 x 10/8 / 0.86.
    const published = 4 * 8 * (948 / 1024) * 273 * 12 * 28_000 * 0.86;
    expect(published / 1e9).toBeCloseTo(2.337, 3);
    expect(peakRateKbps(273, 30) * 1000).toBeCloseTo((published * 2 * (10 / 8)) / 0.86, 0);
    // The twin's 40 MHz cell: far above what the radio model gives it (a few hundred Mbit/s).
    expect(PEAK_KBPS / 1e6).toBeCloseTo(2.688, 3);
  });
});

describe('every value from an agent is checked against the cell it claims', () => {
  it.each<[string, (i: Indication) => Indication, string, RegExp]>([
    ['negative PRBs', (i) => ({ ...i, cellRecords: setRecord(i.cellRecords, 'RRU.PrbUsedDl', { integer: '-5' }) }), 'cell_records[RRU.PrbUsedDl]', /-5 is outside 0\.\.216/],
    ['more PRBs than the carrier has', (i) => ({ ...i, cellRecords: setRecord(i.cellRecords, 'RRU.PrbAvailDl', { integer: '217' }) }), 'cell_records[RRU.PrbAvailDl]', /217 is outside 0\.\.216 \(cell gnb-b-c1 has 216 PRBs\)/],
    ['NaN kbit/s', (i) => ({ ...i, cellRecords: setRecord(i.cellRecords, 'DRB.UEThpDl', { real: NaN }) }), 'cell_records[DRB.UEThpDl]', /expected a finite number, got NaN/],
    ['1e300 kbit/s', (i) => ({ ...i, cellRecords: setRecord(i.cellRecords, 'DRB.UEThpDl', { real: 1e300 }) }), 'cell_records[DRB.UEThpDl]', /1e\+300 kbit\/s is outside 0\.\.\d+ kbit\/s \(the TS 38\.306 peak rate/],
    ['Infinity kbit/s for a UE', (i) => ({ ...i, ueRecords: [{ ueId: 'u1', records: [{ name: 'DRB.UEThpDl', real: Infinity }] }] }), 'ue_records[0][DRB.UEThpDl]', /finite number, got Infinity/],
    ['CQI 1e9', (i) => ({ ...i, ueRecords: [{ ueId: 'u1', records: [{ name: 'CQI', integer: '1000000000' }] }] }), 'ue_records[0][CQI]', /1000000000 is outside 0\.\.15/],
    ['a timestamp in 1970', (i) => ({ ...i, collectionStartTimeNs: '86400000000000' }), 'collectionStartTimeNs', /1970-01-02T00:00:00\.000Z is -\d+ ms from the controller's clock/],
    ['a timestamp an hour ahead', (i) => ({ ...i, collectionStartTimeNs: (BigInt(i.collectionStartTimeNs) + HOUR_NS).toString() }), 'collectionStartTimeNs', /is 3[56]\d{5} ms from the controller's clock/],
    ["another node's id", (i) => ({ ...i, globalNodeId: 'gnb-a' }), 'globalNodeId', /indication for node "gnb-a" on the connection of gnb-b/],
    ["another node's cell", (i) => ({ ...i, cellId: 'gnb-a-c1' }), 'cellId', /"gnb-a-c1" is not a cell of gnb-b/],
    ['another granularity period', (i) => ({ ...i, granularityPeriodMs: 1 }), 'granularityPeriodMs', /1 ms, the subscription asked for 50 ms/],
  ])('%s: AgentProtocolError naming the agent and the field; nothing out of range passed on', async (_what, tamper, field, detail) => {
    const { agent, bs } = await evil();
    await bs.setup();
    await bs.control({ kind: 'prbQuota', cellId: 'gnb-b-c1', startPrb: 0, nPrb: 100 });
    await bs.control({ kind: 'cellState', cellId: 'gnb-b-c1', on: true });
    agent.tamper = (ind, k) => (k >= 3 ? tamper(ind) : ind);
    const accepted: KpmIndication[] = [];
    const errors: Error[] = [];
    bs.subscribe(50, (i) => accepted.push(i), (e) => errors.push(e));
    await until(() => errors.length > 0, 5000, 'the protocol error');
    await new Promise((r) => setTimeout(r, 120));
    expect(errors).toHaveLength(1);
    const err = errors[0] as AgentProtocolError;
    expect(err).toBeInstanceOf(AgentProtocolError);
    expect(err).toMatchObject({ component: 'gnb-b', field, code: 'PROTOCOL_ERROR', exitCode: 3 });
    expect(err.message.startsWith(`gnb-b: agent sent an invalid message: ${field}: `)).toBe(true);
    expect(err.message).toMatch(detail);
    expect(accepted).toHaveLength(2); // the two honest ones before the fault, and nothing after
    expect(accepted.every(inBounds)).toBe(true);
  });

  it.each<[string, (r: Record<string, unknown>) => Record<string, unknown>, string, RegExp]>([
    ['0 kHz subcarrier spacing', (r) => ({ ...r, cells: [{ ...CELL, scsKhz: 0 }] }), 'cells[0].scsKhz', /0 kHz is not a NR subcarrier spacing \(15, 30, 60, 120, 240 kHz\)/],
    ['a bandwidth NR does not define', (r) => ({ ...r, cells: [{ ...CELL, bandwidthMhz: 41 }] }), 'cells[0].bandwidthMhz', /does not define a 41 MHz carrier at 15 kHz/],
    ['a PRB count the table does not give', (r) => ({ ...r, cells: [{ ...CELL, prbTotal: 500 }] }), 'cells[0].prbTotal', /500 PRBs, but a 40 MHz NR carrier at 15 kHz holds 216/],
    ['a carrier other than the rig says', (r) => ({ ...r, cells: [{ ...CELL, bandwidthMhz: 20, prbTotal: 106 }] }), 'cells[0]', /the rig says NR 40 MHz at 5170 MHz, 15 kHz/],
    ['another node', (r) => ({ ...r, globalNodeId: 'gnb-a' }), 'globalNodeId', /the agent says it is "gnb-a", the rig expects "gnb-b"/],
    ['another operator', (r) => ({ ...r, operator: 'op-a' }), 'operator', /the rig says "op-b"/],
  ])('setup with %s is refused, naming the field', async (_what, setup, field, detail) => {
    const { agent, bs } = await evil();
    agent.setup = setup;
    const err = (await bs.setup().catch((e: unknown) => e)) as AgentProtocolError;
    expect(err).toBeInstanceOf(AgentProtocolError);
    expect(err).toMatchObject({ component: 'gnb-b', field, exitCode: 3 });
    expect(err.message).toMatch(detail);
  });

  it('a control acknowledged with a time in 1970 or next year is refused, naming the field', async () => {
    const { agent, bs } = await evil();
    await bs.setup();
    for (const t of ['86400000000000', (BigInt(Date.now() + 365 * 86_400_000) * 1_000_000n).toString()]) {
      agent.ack = (a) => ({ ...a, effectiveTimeNs: t });
      const err = (await bs.control({ kind: 'cellState', cellId: 'gnb-b-c1', on: true }).catch((e: unknown) => e)) as AgentProtocolError;
      expect(err).toBeInstanceOf(AgentProtocolError);
      expect(err).toMatchObject({ component: 'gnb-b', field: 'effectiveTimeNs', exitCode: 3 });
      expect(err.message).toMatch(/is not between sending the request and its answer/);
    }
  });

  it('indications beyond the rate bound are dropped and counted; a flood fails the agent', async () => {
    const { agent, bs } = await evil();
    await bs.setup();
    // A burst of 100 at once on a 50 ms, one-cell subscription: the bound (2 x 20/s + 1) takes 41.
    agent.flood = 100;
    const accepted: KpmIndication[] = [];
    const errors: Error[] = [];
    const sub = bs.subscribe(50, (i) => accepted.push(i), (e) => errors.push(e));
    await until(() => agent.sent >= 100 && accepted.length >= 45, 5000, 'the burst and later periods');
    sub.close();
    const stats = (bs as unknown as { stats: { accepted: number; dropped: number } }).stats;
    expect(errors).toEqual([]);
    expect(stats.dropped).toBeGreaterThanOrEqual(50);
    expect(stats.dropped).toBeLessThanOrEqual(60);
    expect(stats.accepted + stats.dropped).toBeLessThanOrEqual(agent.sent);

    // A sustained flood (20,000 back to back) is an attack: a protocol error after about a second.
    agent.flood = 20_000;
    const flooded: KpmIndication[] = [];
    const t = Date.now();
    bs.subscribe(50, (i) => flooded.push(i), (e) => errors.push(e));
    await until(() => errors.length > 0, 10_000, 'the flood error');
    expect(errors[0]).toBeInstanceOf(AgentProtocolError);
    expect(errors[0]).toMatchObject({ field: 'indication rate', exitCode: 3 });
    expect(errors[0].message).toMatch(/^gnb-b: agent sent an invalid message: indication rate: more than 410 indications a second/);
    // Accepted: at most the burst plus the sustained bound over the time it took.
    expect(flooded.length).toBeLessThanOrEqual(41 + Math.ceil(((Date.now() - t) / 1000) * 41));
  });
});

describe('a trial against a hostile agent', () => {
  let env: TrialEnv;
  beforeAll(async () => {
    env = await startTrialEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  /** rigs/twin.yaml with gnb-b replaced by the hostile agent (its UEs left out: it has no air). */
  async function hostileTrial(name: string, set: (a: EvilAgent) => void) {
    const agent = new EvilAgent({ nodeId: 'gnb-b', operator: 'op-b', cells: [CELL], tls: agentFiles(join(tmp, 'lab'), 'gnb-b') });
    agents.push(agent);
    const address = await agent.start();
    set(agent);
    const prepared = await prepareRig(env, 'rigs/twin.yaml', name, { epochMs: 400 });
    const rig = parse(readFileSync(prepared.path, 'utf8'));
    const b = rig.basestations.find((x: { id: string }) => x.id === 'gnb-b');
    b.driver = 'e2';
    b.address = address;
    rig.ues = rig.ues.filter((u: { servingBs: string }) => u.servingBs !== 'gnb-b');
    rig.tls = controllerFiles(join(tmp, 'lab'));
    writeFileSync(prepared.path, stringify(rig));
    const results = mkdtempSync(join(env.dir, 'results-'));
    const run = await runCli(['trial', prepared.path, '--results', results, '--epochs', '20', '--epoch-ms', '400'], prepared.env);
    const [id] = readdirSync(results);
    const report = JSON.parse(readFileSync(join(results, id!, 'report.json'), 'utf8')) as { error: unknown; epochs: number };
    return { run, id: id!, report };
  }

  it('1e300 kbit/s mid-trial: exit 3 naming the agent and the field; nothing out of range in InfluxDB', async () => {
    // Honest for the first 2 s of KPM (10 periods of 200 ms), then 10^300 kbit/s.
    const { run, id, report } = await hostileTrial('evilthp', (a) => {
      a.tamper = (ind, k) => (k > 10 ? { ...ind, cellRecords: setRecord(ind.cellRecords, 'DRB.UEThpDl', { real: 1e300 }) } : ind);
    });
    expect(run.exitCode, run.all).toBe(3);
    expect(run.all).toMatch(/gnb-b: agent sent an invalid message: cell_records\[DRB\.UEThpDl\]: 1e\+300 kbit\/s is outside/);
    expect(JSON.stringify(report.error)).toMatch(/cell_records\[DRB\.UEThpDl\]/);
    const [row] = await influxQuery(env, `SELECT count(thpDlKbps) AS n, max(thpDlKbps) AS hi FROM kpm_cell WHERE trial='${id}' AND bs='gnb-b'`);
    expect(row!.n as number).toBeGreaterThanOrEqual(5); // the honest reports are kept
    expect(row!.hi as number).toBeLessThanOrEqual(PEAK_KBPS);
    const [all] = await influxQuery(env, `SELECT max(usedUnits) AS u FROM epoch_operator WHERE trial='${id}'`);
    expect(all!.u as number).toBeLessThanOrEqual(222);
  }, 120_000);

  it('a burst beyond the rate bound mid-trial: dropped, counted in report.json, and the trial goes on', async () => {
    const { run, report } = await hostileTrial('evilburst', (a) => {
      a.flood = 40; // a burst well past the bound (2 x 5/s + 1 on a 200 ms subscription), short of the flood that fails an agent
    });
    expect(run.exitCode, run.all).toBe(0);
    const counts = (report as unknown as { indications: Record<string, { accepted: number; dropped: number }> }).indications;
    expect(counts['gnb-b']!.dropped).toBeGreaterThan(0);
    expect(counts['gnb-b']!.accepted).toBeGreaterThan(0);
    expect(counts['gnb-a']!.dropped).toBe(0);
  }, 120_000);

  it("indications claiming another operator's node: exit 3 naming globalNodeId, nothing credited to it", async () => {
    const { run, id } = await hostileTrial('evilnode', (a) => {
      a.tamper = (ind, k) => (k > 10 ? { ...ind, globalNodeId: 'gnb-a', cellId: 'gnb-a-c1' } : ind);
    });
    expect(run.exitCode, run.all).toBe(3);
    expect(run.all).toMatch(/gnb-b: agent sent an invalid message: globalNodeId: indication for node "gnb-a" on the connection of gnb-b/);
    // No point for gnb-a's cell came through gnb-b's connection (the settlement reads the same indications).
    const [a] = await influxQuery(env, `SELECT count(thpDlKbps) AS n FROM kpm_cell WHERE trial='${id}' AND cell='gnb-a-c1' AND bs='gnb-b'`);
    expect(a).toBeUndefined();
  }, 120_000);

  it('a setup with a 0 kHz subcarrier spacing: exit 3 at bring-up, before any epoch is settled', async () => {
    const { run, report } = await hostileTrial('evilscs', (a) => {
      a.setup = (r) => ({ ...r, cells: [{ ...CELL, scsKhz: 0 }] });
    });
    expect(run.exitCode, run.all).toBe(3);
    expect(run.all).toMatch(/gnb-b: agent sent an invalid message: cells\[0\]\.scsKhz: 0 kHz is not a NR subcarrier spacing/);
    expect(report.epochs).toBe(0);
  }, 120_000);
});
