// The AT driver against a modem that behaves as real firmware does rather than as the manual
// promises: an RM500Q on early firmware, played by a scripted peer on a real pseudo-terminal
// (test/helpers/scripted-modem.ts, which shares no code or table with the driver). It answers
// ERROR to AT+CMEE? (the driver's first sync barrier), prints the short 6-field EN-DC NR line,
// and answers a bare OK to AT+CGACT? and AT+CGPADDR while no context is defined.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AtModemUe, eventPoints, type UeEvent } from '../harness/ue/index.js';
import { cliEntry, packageRoot } from '../harness/paths.js';
import { rm500qEarlyFirmware, scriptedModem, type ScriptedModem } from './helpers/scripted-modem.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});
function modem(...args: Parameters<typeof rm500qEarlyFirmware>): ScriptedModem {
  const m = scriptedModem(rm500qEarlyFirmware(...args));
  cleanups.push(() => m.close());
  return m;
}
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ranlab-ue-quirks-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

beforeAll(() => {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: build first (npm run build)`);
});

describe('ranlab ue <rig> <ue> status --json on a modem that refuses AT+CMEE?', () => {
  it('opens, and reads the serving cell (both EN-DC legs), data session and band lock', async () => {
    const m = modem();
    // A lab rig whose UE port is the pseudo-terminal: how `ranlab ue` opens a real modem.
    const rig = parse(readFileSync(join(packageRoot, 'rigs', 'lab-b210-srsran.yaml'), 'utf8')) as { ues: Array<{ id: string; port: string; model?: string }> };
    rig.ues[0].port = m.path;
    rig.ues[0].model = 'RM500Q';
    const rigPath = join(scratch(), 'lab-pty.yaml');
    writeFileSync(rigPath, stringify(rig));

    const r = await execa(process.execPath, [cliEntry, 'ue', rigPath, rig.ues[0].id, 'status', '--json'], { reject: false, timeout: 30_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;

    // It opened: the refused barrier was followed at once by another side-effect-free read.
    const barriers = m.finals.filter((f) => /^AT\+(CMEE\?|CSQ|CGEREP\?)$/i.test(f.line) && f.line !== f.line.toUpperCase());
    expect(barriers[0]).toMatchObject({ line: expect.stringMatching(/^AT\+CMEE\?$/i), final: 'ERROR' });
    expect(barriers[1]).toMatchObject({ line: expect.stringMatching(/^AT\+CSQ$/i), final: 'OK' });

    expect(s).toMatchObject({
      id: rig.ues[0].id,
      port: m.path,
      health: 'ready',
      errors: {},
      identity: { manufacturer: 'Quectel', model: 'RM500Q', revision: 'RM500QGLABR11A06M4G', imei: '867698049012345', imsi: '001010000012345' },
      power: 1,
      registration: { domain: 'CEREG', stat: 1, registered: true, tac: '0001', ci: '1A2D001', act: 13 },
      serving: {
        state: 'NOCONN',
        rat: 'NR5G-NSA',
        // LTE anchor: 15-field line; an RM5xx prints SINR in the RM5x0N scale (25 -> 30 dB).
        lte: { duplex: 'FDD', mcc: '1', mnc: '01', cellId: '1A2D001', pci: 1, arfcn: 1575, band: 'B3', bandwidthMHz: 10, tac: '1', rsrpDbm: -70, rsrqDb: -9, rssiDbm: -46, sinrRaw: 25, sinrDb: 30, cqi: null, txPowerDbm: null },
        // NR leg from the short line: what it has, nothing invented for what it lacks.
        nr: { mcc: '1', mnc: '01', pci: 500, rsrpDbm: -75, sinrRaw: 180, sinrDb: null, rsrqDb: -11, arfcn: null, band: null, bandwidthMHz: null, scsKHz: null, cqi: null },
      },
      dataSession: { cid: 1, active: false, address: null },
      bandLock: { lte: [1, 3, 7, 20], nsaNr: [1, 3, 78], saNr: [1, 3, 78], modePref: 'AUTO' },
    });
    expect((s.bandLock as Record<string, unknown>).problems).toBeUndefined();
    // `ue status` leaves the modem's settings alone: nothing but reads was sent.
    const reads = [/^AT\+QNWPREFCFG="[a-z0-9_]+"$/i, /^AT\+CGPADDR=1$/i, /^AT\+QENG="servingcell"$/i];
    expect(m.got.filter((l) => /=/.test(l) && !reads.some((re) => re.test(l)))).toEqual([]);
  }, 40_000);
});

describe('the driver on that modem', () => {
  it('opens (configuring it), starts a data session from a bare-OK AT+CGACT?, and reads it back', async () => {
    const m = modem();
    const ue = new AtModemUe({ id: 'ue-q1', port: m.path, apn: 'internet' });
    cleanups.push(() => ue.close());
    await ue.open();
    expect(await ue.dataSession()).toEqual({ cid: 1, active: false, address: null });
    expect(await ue.startDataSession()).toEqual({ cid: 1, active: true, address: '10.76.51.180' });
    expect(m.got).toContain('AT+CGDCONT=1,"IP","internet"');
    expect(await ue.dataSession()).toEqual({ cid: 1, active: true, address: '10.76.51.180' });
  }, 20_000);

  it('opens even when the module refuses AT+CMEE=2 and AT+CMEE=1 as well', async () => {
    const m = modem({ refuse: ['AT+CMEE=2', 'AT+CMEE=1'] });
    const ue = new AtModemUe({ id: 'ue-q3', port: m.path });
    cleanups.push(() => ue.close());
    await ue.open();
    expect(ue.health).toBe('ready');
    expect(m.finals.filter((f) => /^AT\+CMEE=/.test(f.line))).toEqual([
      { line: 'AT+CMEE=2', final: 'ERROR' },
      { line: 'AT+CMEE=1', final: 'ERROR' },
    ]);
    expect((await ue.servingCell()).rat).toBe('NR5G-NSA');
  }, 20_000);

  it('a band-lock key it cannot use is reported, the other keys are still read, and it counts as unparsed', async () => {
    const m = modem({ bandReply: { nsa_nr5g_band: ['+QNWPREFCFG: "nsa_nr5g_band",n78'] } });
    const ue = new AtModemUe({ id: 'ue-q2', port: m.path });
    cleanups.push(() => ue.close());
    const events: UeEvent[] = [];
    ue.on((e) => events.push(e));
    await ue.open();
    const lock = await ue.bandLock();
    expect(lock).toMatchObject({ lte: [1, 3, 7, 20], saNr: [1, 3, 78], modePref: 'AUTO' });
    expect(lock.nsaNr).toBeUndefined();
    expect(Object.keys(lock.problems ?? {})).toEqual(['nsa_nr5g_band']);
    expect(lock.problems?.nsa_nr5g_band).toMatch(/n78/);
    const unparsed = events.filter((e) => e.kind === 'unparsed');
    expect(unparsed).toHaveLength(1);
    const pts = eventPoints('ue-q2', unparsed[0], { rig: 'r', trial: 't' });
    expect(pts).toEqual([
      expect.objectContaining({ measurement: 'ue_event', tags: { rig: 'r', trial: 't', ue: 'ue-q2' }, fields: { event: 'unparsed', detail: 'AT+QNWPREFCFG="nsa_nr5g_band": +QNWPREFCFG: "nsa_nr5g_band",n78' } }),
    ]);
  }, 20_000);
});

describe('a reply the parser cannot use', () => {
  it('is logged at warn level with the raw line once per shape, and counted every time', async () => {
    const odd = '+QENG:"NR5G-NSA",1,01,500,-75,180,-11,627264';
    const m = modem({ servingCell: ['+QENG: "servingcell","NOCONN"', '+QENG: "LTE","FDD",1,01,1A2D001,1,1575,3,3,3,1,-70,-9,-46,25,-', odd] });
    // A separate process, so its log goes where a user would see it (stderr, warn level).
    const script = `
      const { AtModemUe } = await import(${JSON.stringify(join(packageRoot, 'dist', 'harness', 'ue', 'index.js'))});
      const ue = new AtModemUe({ id: 'ue-w', port: process.argv[1] });
      let unparsed = 0;
      ue.on((e) => { if (e.kind === 'unparsed') unparsed++; });
      await ue.open();
      const legs = [];
      for (let i = 0; i < 3; i++) { const s = await ue.servingCell(); legs.push(s.primary ? 'lte' : '-', s.nr ? 'nr' : '-'); }
      await ue.close();
      console.log(JSON.stringify({ unparsed, legs }));`;
    const r = await execa(process.execPath, ['--input-type=module', '-e', script, m.path], { reject: false, timeout: 30_000, env: { RANLAB_LOG_LEVEL: 'warn' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ unparsed: 3, legs: ['lte', '-', 'lte', '-', 'lte', '-'] });
    const warns = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; line?: string; msg: string })
      .filter((l) => l.level === 40 && l.line !== undefined);
    expect(warns).toHaveLength(1);
    expect(warns[0].line).toBe(odd);
  }, 40_000);
});
