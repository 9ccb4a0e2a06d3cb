// The AT modem driver against the real twin modem process (`ranlab twin-modem`), on a real
// pseudo-terminal, with readings from an air file the test writes as a twin base station would.
// Needs the build (npx tsc -p tsconfig.json): the twin modem runs from dist/.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry } from '../harness/paths.js';
import { Supervisor } from '../harness/proc/index.js';
import { startTwinModem, type StartedTwinModem } from '../harness/twin/modem.js';
import { Air, type AirUeReading } from '../harness/twin/air.js';
import { airReading } from './helpers/air-reading.js';
import { InfluxSink, queryInflux, startEmbeddedInflux } from '../harness/measure/index.js';
import { AtModemUe, CmeError, AtCommandError, eventPoints, formatAtResult, formatUeStatus, toPoints, ueAt, ueStatus, type UeEvent } from '../harness/ue/index.js';

const UE = 'ue-t1';
let dir: string;
let air: Air;
let link: string;
const sup = new Supervisor();
let modem: StartedTwinModem;
let ue: AtModemUe;
const events: UeEvent[] = [];

const reading = (over: Partial<AirUeReading> = {}): AirUeReading => airReading(UE, over);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, f: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} missing: run npx tsc -p tsconfig.json first`);
  dir = mkdtempSync(join(tmpdir(), 'ranlab-ue-twin-'));
  air = new Air(join(dir, 'air'));
  air.publishUe(reading());
  link = join(dir, 'by-id', 'usb-Quectel_RM520N-GL_twin-ue-t1-if02-port0');
  modem = await startTwinModem(sup, { ueId: UE, airDir: join(dir, 'air'), imei: '866425030087385', imsi: '001010000000011', linkPath: link, staleAfterMs: 0 }, join(dir, 'cfg'));
  ue = new AtModemUe({ id: UE, operator: 'op-a', port: modem.port, reopenPollMs: 100, apn: 'internet' });
  ue.on((e) => events.push(e));
  await ue.open();
}, 30_000);

afterAll(async () => {
  await ue?.close();
  await sup.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('AT modem driver on the twin modem (real pty, real process)', () => {
  it('the twin reports its pty and the stable link points at it', () => {
    expect(modem.slavePath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(modem.port).toBe(link);
    expect(existsSync(link)).toBe(true);
    expect(ue.health).toBe('ready');
  });

  it('identity: ATI, AT+CGSN, AT+CIMI', async () => {
    expect(await ue.identity()).toEqual({ manufacturer: 'Quectel', model: 'RM520N', revision: 'RM520NTWINR01A01M4G', imei: '866425030087385', imsi: '001010000000011' });
  });

  it('power: RF off loses the cell, on brings registration back with URCs', async () => {
    await ue.attach(5000);
    expect(await ue.power()).toBe(1);
    const before = events.length;
    await ue.setPower(false);
    expect(await ue.power()).toBe(4);
    expect((await ue.servingCell()).state).toBe('SEARCH');
    expect((await ue.registration()).registered).toBe(false);
    await ue.setPower(true);
    const reg = await ue.attach(5000);
    expect(reg).toMatchObject({ domain: 'C5GREG', stat: 1, registered: true, act: 11 });
    const urcs = events.slice(before);
    expect(urcs.some((e) => e.kind === 'urc' && e.line === '+CPIN: READY')).toBe(true);
    expect(urcs.some((e) => e.kind === 'registration' && e.registration.domain === 'C5GREG' && e.registration.stat === 1 && e.registration.ci !== null)).toBe(true);
  });

  it('serving cell: an NR5G-SA line whose values are the air reading', async () => {
    const s = await ue.servingCell();
    expect(s).toMatchObject({ state: 'NOCONN', rat: 'NR5G-SA' });
    expect(s.primary).toMatchObject({ duplex: 'TDD', mcc: '001', mnc: '01', pci: 101, arfcn: 744000, band: 'n46', bandwidthMHz: 40, rsrpDbm: -85, rsrqDb: -11, sinrDb: 18, scsKHz: 15 });
  });

  it('readings move when the air reading moves (as when the ledger moves grants)', async () => {
    const seen: number[] = [];
    const off = ue.on((e) => {
      if (e.kind === 'reading' && e.reading.serving.primary?.rsrpDbm != null) seen.push(e.reading.serving.primary.sinrDb!);
    });
    ue.startReadings(150);
    await until('a first reading', () => seen.length > 0);
    air.publishUe(reading({ sinrDb: 3.2, rsrpDbm: -97 }));
    await until('the new SINR', () => seen.includes(3));
    ue.stopReadings();
    off();
    const last = events.filter((e) => e.kind === 'reading').at(-1);
    expect(last?.kind).toBe('reading');
    if (last?.kind === 'reading') {
      const pts = toPoints(last.reading, { rig: 'twin', trial: 't', operator: 'op-a' });
      expect(pts[0]).toMatchObject({ measurement: 'ue_radio', tags: { ue: UE, operator: 'op-a' }, fields: { band: 'n46', pci: 101, rsrpDbm: -97, sinrDb: 3 } });
    }
    air.publishUe(reading());
  });

  it('an LTE cell gives the LTE line, in service or not', async () => {
    // In traffic (data on the air): the LTE line has its CQI.
    air.publishUe(reading({ rat: 'LTE', band: 'B7', arfcn: 3100, bandwidthMHz: 20, sinrDb: 10, cqi: 9, throughputKbps: 20_000 }));
    const s = await until('LTE', async () => {
      const x = await ue.servingCell();
      return x.rat === 'LTE' && x;
    });
    expect(s.primary).toMatchObject({ duplex: 'FDD', band: 'B7', arfcn: 3100, bandwidthMHz: 20, sinrDb: 10, cqi: 9, rsrpDbm: -85 });
    const reg = await until('LTE registration', async () => {
      const r = await ue.registration();
      return r.domain === 'CEREG' && r.registered && r;
    });
    expect(reg.act).toBe(7);
    air.publishUe(reading({ inService: false }));
    await until('SEARCH', async () => (await ue.servingCell()).state === 'SEARCH');
    await until('deregistration URC', () => events.some((e) => e.kind === 'registration' && e.registration.stat === 2));
    air.publishUe(reading());
    await ue.attach(5000);
  });

  it('band lock: locking SA to n78 loses the n46 cell; unlocking brings it back', async () => {
    const before = await ue.bandLock();
    expect(before.saNr).toContain(46);
    await ue.setBandLock({ saNr: [78] });
    expect((await ue.bandLock()).saNr).toEqual([78]);
    await until('no cell', async () => (await ue.servingCell()).state === 'SEARCH');
    await ue.setBandLock({ saNr: before.saNr });
    await ue.attach(5000);
    expect((await ue.servingCell()).primary?.band).toBe('n46');
    await expect(ue.setBandLock({ saNr: [] })).rejects.toBeInstanceOf(AtCommandError);
  });

  it('data session: an address while attached, CME errors in the modem’s words (CMEE=2) when not', async () => {
    const s = await ue.startDataSession();
    expect(s).toMatchObject({ cid: 1, active: true });
    expect(s.address).toMatch(/^10\.45\.\d+\.\d+$/);
    expect((await ue.servingCell()).state).toBe('CONNECT');
    await ue.stopDataSession();
    expect(await ue.dataSession()).toEqual({ cid: 1, active: false, address: null });
    await ue.detach();
    const err = (await ue.startDataSession().catch((e: unknown) => e)) as CmeError;
    expect(err).toBeInstanceOf(CmeError);
    expect(err.words).toBe('no network service');
    expect(err.cmeCode).toBe(30);
    expect(err.component).toBe(UE);
    await ue.attach(5000);
  });

  it('unplug and replug: reported, readings stop (a gap in InfluxDB), and resume within 5 s of the port coming back', async () => {
    const influx = await startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: 'ranlab' });
    const sink = new InfluxSink({ url: influx.url, database: 'ranlab', spoolDir: join(dir, 'spool'), flushIntervalMs: 100 });
    const tags = { rig: 'twin', trial: 'gap', operator: 'op-a' };
    const readings: bigint[] = [];
    const off = ue.on((e) => {
      if (e.kind === 'reading') {
        readings.push(e.reading.timestampNs);
        sink.write(toPoints(e.reading, tags));
      } else sink.write(eventPoints(UE, e, tags));
    });
    const session = await ue.startDataSession();
    ue.startReadings(200);
    await until('readings', () => readings.length >= 3);
    const n0 = events.length;
    modem.unplug();
    await until('unplugged event', () => events.slice(n0).some((e) => e.kind === 'unplugged'));
    expect(ue.health).toBe('unplugged');
    expect(existsSync(link)).toBe(false);
    await expect(ue.power()).rejects.toMatchObject({ code: 'UE_DISCONNECTED' });
    await sleep(300);
    const during = readings.length;
    await sleep(1500);
    expect(readings.length).toBe(during); // the gap
    const back = Date.now();
    modem.replug();
    await until('replugged', () => events.slice(n0).some((e) => e.kind === 'replugged'), 5000);
    await until('readings again', () => readings.length > during + 2, 5000);
    const resumedMs = Date.now() - back;
    console.info(`readings resumed ${resumedMs} ms after the port came back`);
    expect(ue.health).toBe('ready');
    // The module booted again: the driver restores the data session the trial had ...
    await until('data session restored', async () => (await ue.dataSession()).active, 5000);
    expect((await ue.dataSession()).address).toBe(session.address);
    await ue.stopDataSession();
    // ... and configured it again (verbose CME errors).
    await ue.detach();
    await expect(ue.startDataSession()).rejects.toMatchObject({ words: 'no network service' });
    await ue.attach(5000);
    ue.stopReadings();
    off();
    await sink.flush();
    const rows = await queryInflux(influx.url, 'ranlab', `SELECT rsrpDbm, band FROM ue_radio WHERE ue = '${UE}' AND trial = 'gap'`);
    const times = rows.map((r) => r.time as bigint);
    expect(times.length).toBeGreaterThan(5);
    const gaps = times.slice(1).map((t, i) => Number(t - times[i]) / 1e6);
    const widest = Math.max(...gaps);
    expect(widest).toBeGreaterThan(1500); // the UE's gap, visible in the database
    expect(gaps.indexOf(widest)).toBeLessThan(gaps.length - 1); // and readings after it
    expect(rows[0]).toMatchObject({ band: 'n46' });
    const ev = await queryInflux(influx.url, 'ranlab', `SELECT event FROM ue_event WHERE ue = '${UE}' AND trial = 'gap'`);
    expect(ev.map((r) => r.event)).toEqual(['unplugged', 'replugged']);
    console.info(`ue_radio gap in InfluxDB: ${widest.toFixed(0)} ms`);
    await sink.close();
    await influx.stop();
  });

  it('a reset by hand (AT+CFUN=1,1): the module reboots, says RDY, and the driver configures it again', async () => {
    const n0 = events.length;
    await ue.send('AT+CFUN=1,1');
    await until('RDY', () => events.slice(n0).some((e) => e.kind === 'urc' && e.line === 'RDY'), 5000);
    await until('registered again', async () => (await ue.registration().catch(() => null))?.registered, 5000);
    await ue.detach();
    await expect(ue.startDataSession()).rejects.toMatchObject({ words: 'no network service' });
    await ue.attach(5000);
  });

  it('by hand: ueAt and ueStatus open the modem, send, print, close', async () => {
    await ue.close(); // serialport locks the port: one user at a time
    const opts = { id: UE, port: link };
    const csq = await ueAt(opts, 'AT+QENG="servingcell"');
    expect(csq.ok).toBe(true);
    expect(formatAtResult(csq)).toMatch(/^\+QENG: "servingcell","NOCONN","NR5G-SA","TDD",001,01,[0-9A-F]+,101,000001,744000,46,6,-85,-11,18,0,-\nOK\n$/);
    const bad = await ueAt(opts, 'AT+NOSUCH');
    expect(bad).toMatchObject({ ok: false, final: 'ERROR' });
    const st = await ueStatus(opts);
    expect(st.identity?.model).toBe('RM520N');
    expect(st.serving?.rat).toBe('NR5G-SA');
    expect(st.errors).toEqual({});
    const text = formatUeStatus(st);
    expect(text).toContain('band n46');
    expect(text).toContain('C5GREG stat 1');
    await ue.open();
  });

  it('stopping the twin modem removes its port', async () => {
    await modem.child.stop();
    expect(existsSync(link)).toBe(false);
    await until('unplugged', () => ue.health === 'unplugged');
  });
});
