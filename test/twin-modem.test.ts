// The twin modem as an independent peer: each model's replies, read straight off its real
// pseudo-terminal by a tiny line reader here (not the UE driver), against lines written from the
// Quectel manuals and the fact sheet (../shared/facts/UE-SDR-GPU.md §1). Needs the build: the
// twin modem runs from dist/.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry } from '../harness/paths.js';
import { Supervisor } from '../harness/proc/index.js';
import { startTwinModem } from '../harness/twin/modem.js';
import { Air } from '../harness/twin/air.js';
import { airReading } from './helpers/air-reading.js';

const sup = new Supervisor();
let dir: string;
let air: Air;
const ports: Terminal[] = [];

const reading = airReading;
const LTE_B7 = { rat: 'LTE', band: 'B7', arfcn: 3100, bandwidthMHz: 20, sinrDb: 10, cqi: 9 } as const;

/** The client side of a terminal: send a command line, collect lines up to a final result code. */
class Terminal {
  private buf = '';
  private waiting: (() => void) | null = null;
  constructor(private readonly port: SerialPort) {
    port.on('data', (b: Buffer) => {
      this.buf += b.toString('latin1');
      this.waiting?.();
    });
  }
  static async open(path: string): Promise<Terminal> {
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
    });
    const t = new Terminal(port);
    ports.push(t);
    await t.cmd('ATE0'); // echo off: replies only
    return t;
  }
  /** The reply lines of one command, the final result code last (empty lines dropped, URCs kept out by timing). */
  async cmd(line: string, timeoutMs = 3000): Promise<string[]> {
    this.buf = '';
    this.port.write(`${line}\r`);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buf.split('\r\n').map((l) => l.trim()).filter((l) => l !== '' && l !== line && l !== 'RDY');
      const i = lines.findIndex((l) => /^(OK|ERROR|\+CME ERROR: .*)$/.test(l));
      if (i >= 0) return lines.slice(0, i + 1);
      if (Date.now() > end) throw new Error(`no final result code for ${line}: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 50);
      });
    }
  }
  close(): Promise<void> {
    return new Promise((r) => (this.port.isOpen ? this.port.close(() => r()) : r()));
  }
}

async function modem(ueId: string, model: string): Promise<Terminal> {
  const m = await startTwinModem(sup, { ueId, airDir: join(dir, 'air'), model, registerMs: 0, pollMs: 50 }, join(dir, 'cfg'));
  return Terminal.open(m.port);
}

/** Poll a command until its first line matches. */
async function untilLine(t: Terminal, cmd: string, re: RegExp, timeoutMs = 3000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await t.cmd(cmd);
    if (re.test(r[0] ?? '')) return r;
    if (Date.now() > end) throw new Error(`${cmd}: still ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const HEX = '[0-9A-F]+';
const rx = (s: string) => new RegExp(`^${s.replace(/[()+?^$|[\]\\.]/g, '\\$&').replace(/<HEX>/g, HEX).replace(/<N>/g, '\\d+')}$`);

beforeAll(() => {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'ranlab-twin-modem-'));
  air = new Air(join(dir, 'air'));
});

afterAll(async () => {
  for (const p of ports) await p.close();
  await sup.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RM520N', () => {
  let t: Terminal;
  beforeAll(async () => {
    air.publishUe(reading('m-rm520n'));
    t = await modem('m-rm520n', 'RM520N');
  }, 20_000);

  it('identity and the CMEE read form', async () => {
    expect(await t.cmd('ATI')).toEqual(['Quectel', 'RM520N', 'Revision: RM520NTWINR01A01M4G', 'OK']);
    expect(await t.cmd('AT+CMEE?')).toEqual(['+CMEE: 0', 'OK']);
  });

  it('NR5G-SA line, idle', async () => {
    const r = await untilLine(t, 'AT+QENG="servingcell"', /NOCONN/);
    expect(r).toHaveLength(2);
    expect(r[0]).toMatch(rx('+QENG: "servingcell","NOCONN","NR5G-SA","TDD",001,01,<HEX>,101,000001,744000,46,6,-85,-11,18,0,-'));
  });

  it('LTE line: CQI and tx_power only in traffic, "-" in idle', async () => {
    air.publishUe(reading('m-rm520n', LTE_B7));
    const idle = await untilLine(t, 'AT+QENG="servingcell"', /"LTE"/);
    // RSSI = RSRP + 10·log10(12·100 RB) = −85 + 30.8; SINR raw (10 + 20)/2; Srxlev −85 + 140.
    expect(idle[0]).toMatch(rx('+QENG: "servingcell","NOCONN","LTE","FDD",001,01,<HEX>,101,3100,7,5,5,0001,-85,-11,-54,15,-,-,55'));
    air.publishUe(reading('m-rm520n', { ...LTE_B7, throughputKbps: 30_000 }));
    const busy = await untilLine(t, 'AT+QENG="servingcell"', /CONNECT/);
    // tx_power (0.1 dBm): −90 + 0.8·(15 + 84.6) + 10 = −0.3 dBm.
    expect(busy[0]).toMatch(rx('+QENG: "servingcell","CONNECT","LTE","FDD",001,01,<HEX>,101,3100,7,5,5,0001,-85,-11,-54,15,9,-3,55'));
  });

  it('EN-DC when SA is off: three lines, the NR line 11 fields with SINR before RSRQ; sentinels in idle', async () => {
    air.publishUe(reading('m-rm520n', { throughputKbps: 40_000 }));
    expect(await t.cmd('AT+QNWPREFCFG="nr5g_disable_mode",1')).toEqual(['OK']);
    const busy = await untilLine(t, 'AT+QENG="servingcell"', /"servingcell","CONNECT"$/);
    expect(busy).toHaveLength(4);
    // The anchor (B3, EARFCN 1650, 20 MHz): RSRP −84.6 + 6; SINR capped at 30 dB (raw 25),
    // CQI 15; tx_power −90 + 0.8·(15 + 78.6) + 10 = −5.1 dBm.
    expect(busy[1]).toMatch(rx('+QENG: "LTE","FDD",001,01,<HEX>,<N>,1650,3,5,5,0001,-79,-11,-48,25,15,-51,61'));
    expect(busy[2]).toBe('+QENG: "NR5G-NSA",001,01,101,-85,18,-11,744000,46,6,0');
    expect(await t.cmd('AT+CEREG=2')).toEqual(['OK']);
    expect((await t.cmd('AT+CEREG?'))[0]).toMatch(rx('+CEREG: 2,1,"0001","<HEX>",13'));
    expect(await t.cmd('AT+C5GREG?')).toEqual(['+C5GREG: 0,0', 'OK']);
    expect(await t.cmd('AT+COPS?')).toEqual(['+COPS: 0,0,"OP-A",13', 'OK']);
    expect(await t.cmd('AT+CEREG=0')).toEqual(['OK']); // no URCs among later replies
    air.publishUe(reading('m-rm520n'));
    const idle = await untilLine(t, 'AT+QENG="servingcell"', /"servingcell","NOCONN"$/);
    expect(idle[1]).toMatch(rx('+QENG: "LTE","FDD",001,01,<HEX>,<N>,1650,3,5,5,0001,-79,-11,-48,25,-,-,61'));
    expect(idle[2]).toBe('+QENG: "NR5G-NSA",001,01,101,-32768,-32768,-32768,744000,46,65535,0');
    expect(await t.cmd('AT+QNWPREFCFG="nr5g_disable_mode",0')).toEqual(['OK']);
    await untilLine(t, 'AT+QENG="servingcell"', /NR5G-SA/);
  });

  it('AT+CGACT? and AT+CGPADDR answer a bare OK once no context is defined', async () => {
    expect(await t.cmd('AT+CGACT?')).toEqual(['+CGACT: 1,0', 'OK']);
    expect(await t.cmd('AT+CGDCONT=1')).toEqual(['OK']);
    expect(await t.cmd('AT+CGACT?')).toEqual(['OK']);
    expect(await t.cmd('AT+CGPADDR')).toEqual(['OK']);
    expect(await t.cmd('AT+CGPADDR=1')).toEqual(['OK']);
    expect(await t.cmd('AT+CGDCONT=1,"IP","internet"')).toEqual(['OK']);
    expect(await t.cmd('AT+CGACT=1,1')).toEqual(['OK']);
    expect(await t.cmd('AT+CGACT?')).toEqual(['+CGACT: 1,1', 'OK']);
    expect((await t.cmd('AT+CGPADDR=1'))[0]).toMatch(/^\+CGPADDR: 1,"10\.45\.\d+\.\d+"$/);
    expect(await t.cmd('AT+CGACT=0,1')).toEqual(['OK']);
  });

  it('manual operator selection: AT+COPS=1,2,"<plmn>" and AT+COPS? reporting it', async () => {
    await untilLine(t, 'AT+C5GREG?', /^\+C5GREG: 0,1$/);
    // The air does not say which PLMN the cell has: the choice is accepted and reported.
    expect(await t.cmd('AT+COPS=1,2,"00101"')).toEqual(['OK']);
    expect(await t.cmd('AT+COPS?')).toEqual(['+COPS: 1,2,"00101",12', 'OK']);
    // The air names the cell's PLMN: only a matching choice registers.
    air.publishUe(reading('m-rm520n', { plmn: '99901' }));
    expect(await t.cmd('AT+CMEE=2')).toEqual(['OK']);
    expect(await t.cmd('AT+COPS=1,2,"00101"')).toEqual(['+CME ERROR: no network service']);
    await untilLine(t, 'AT+COPS?', /^\+COPS: 1$/);
    expect(await t.cmd('AT+C5GREG?')).toEqual(['+C5GREG: 0,2', 'OK']);
    // Camped on a cell it may not register on: limited service.
    expect((await t.cmd('AT+QENG="servingcell"'))[0]).toMatch(/^\+QENG: "servingcell","LIMSRV","NR5G-SA","TDD",999,01,/);
    expect(await t.cmd('AT+COPS=1,2,"99901"')).toEqual(['OK']);
    expect(await untilLine(t, 'AT+COPS?', /99901/)).toEqual(['+COPS: 1,2,"99901",12', 'OK']);
    expect((await t.cmd('AT+QENG="servingcell"'))[0]).toMatch(/^\+QENG: "servingcell","NOCONN","NR5G-SA","TDD",999,01,/);
    expect(await t.cmd('AT+COPS=0')).toEqual(['OK']);
    expect(await untilLine(t, 'AT+COPS?', /^\+COPS: 0,/)).toEqual(['+COPS: 0,2,"99901",12', 'OK']);
    air.publishUe(reading('m-rm520n'));
  });
});

describe('RM500Q, early firmware', () => {
  let t: Terminal;
  beforeAll(async () => {
    air.publishUe(reading('m-rm500q'));
    t = await modem('m-rm500q', 'RM500Q-early');
  }, 20_000);

  it('refuses the CMEE read form, takes the write form', async () => {
    expect(await t.cmd('ATI')).toEqual(['Quectel', 'RM500Q-GL', 'Revision: RM500QGLTWINR01A01M4G', 'OK']);
    expect(await t.cmd('AT+CMEE?')).toEqual(['ERROR']);
    expect(await t.cmd('AT+CMEE=2')).toEqual(['OK']);
  });

  it('no context defined: AT+CGACT? and AT+CGPADDR answer a bare OK', async () => {
    expect(await t.cmd('AT+CGACT?')).toEqual(['OK']);
    expect(await t.cmd('AT+CGPADDR')).toEqual(['OK']);
    expect(await t.cmd('AT+CGDCONT?')).toEqual(['OK']);
  });

  it('EN-DC with the short 6-field NR line; sentinels (255 CQI, −32768) in idle', async () => {
    const idle = await untilLine(t, 'AT+QENG="servingcell"', /"servingcell","NOCONN"$/);
    expect(idle).toHaveLength(4);
    expect(idle[1]).toMatch(rx('+QENG: "LTE","FDD",001,01,<HEX>,<N>,1650,3,5,5,0001,-79,-11,-48,25,255,-32768,61'));
    expect(idle[2]).toBe('+QENG:"NR5G-NSA",001,01,101,-32768,-32768,-32768');
    air.publishUe(reading('m-rm500q', { throughputKbps: 40_000, sinrDb: 3.2, rsrpDbm: -97 }));
    const busy = await untilLine(t, 'AT+QENG="servingcell"', /"servingcell","CONNECT"$/);
    // Anchor RSRP −91, SNR 34 dB capped at 30; tx_power −90 + 0.8·(15 + 91) + 10 = 4.8 dBm.
    expect(busy[1]).toMatch(rx('+QENG: "LTE","FDD",001,01,<HEX>,<N>,1650,3,5,5,0001,-91,-11,-60,25,15,48,49'));
    expect(busy[2]).toBe('+QENG:"NR5G-NSA",001,01,101,-97,3,-11');
  });
});

describe('EG25-G', () => {
  let t: Terminal;
  beforeAll(async () => {
    air.publishUe(reading('m-eg25', LTE_B7));
    t = await modem('m-eg25', 'EG25-G');
  }, 20_000);

  it('LTE line without CQI and tx_power, in idle and in traffic; SINR in dB', async () => {
    expect(await t.cmd('ATI')).toEqual(['Quectel', 'EG25', 'Revision: EG25GTWINR01A01M2G', 'OK']);
    const idle = await untilLine(t, 'AT+QENG="servingcell"', /NOCONN/);
    expect(idle[0]).toMatch(rx('+QENG: "servingcell","NOCONN","LTE","FDD",001,01,<HEX>,101,3100,7,5,5,0001,-85,-11,-54,10,55'));
    air.publishUe(reading('m-eg25', { ...LTE_B7, throughputKbps: 10_000 }));
    const busy = await untilLine(t, 'AT+QENG="servingcell"', /CONNECT/);
    expect(busy[0]).toMatch(rx('+QENG: "servingcell","CONNECT","LTE","FDD",001,01,<HEX>,101,3100,7,5,5,0001,-85,-11,-54,10,55'));
  });

  it('no QNWPREFCFG and no 5G: AT+QCFG="nwscanmode" and AT+QNWLOCK instead', async () => {
    expect(await t.cmd('AT+QNWPREFCFG="mode_pref"')).toEqual(['ERROR']);
    expect(await t.cmd('AT+C5GREG?')).toEqual(['ERROR']);
    expect(await t.cmd('AT+QCFG="nwscanmode"')).toEqual(['+QCFG: "nwscanmode",0', 'OK']);
    expect(await t.cmd('AT+QCFG="nwscanmode",1,1')).toEqual(['OK']); // GSM only: no LTE cell
    await untilLine(t, 'AT+QENG="servingcell"', /SEARCH/);
    expect(await t.cmd('AT+QCFG="nwscanmode",3,1')).toEqual(['OK']);
    await untilLine(t, 'AT+QENG="servingcell"', /CONNECT/);
    expect(await t.cmd('AT+QNWLOCK="common/lte",2,1650,7')).toEqual(['OK']);
    expect(await t.cmd('AT+QNWLOCK="common/lte"')).toEqual(['+QNWLOCK: "common/lte",2,1650,7', 'OK']);
    await untilLine(t, 'AT+QENG="servingcell"', /SEARCH/);
    expect(await t.cmd('AT+QNWLOCK="common/lte",2,3100,101')).toEqual(['OK']);
    await untilLine(t, 'AT+QENG="servingcell"', /CONNECT/);
    expect(await t.cmd('AT+QNWLOCK="common/lte",0')).toEqual(['OK']);
  });

  it('an NR cell is no service for an LTE-only module', async () => {
    air.publishUe(reading('m-eg25'));
    expect(await untilLine(t, 'AT+QENG="servingcell"', /SEARCH/)).toEqual(['+QENG: "servingcell","SEARCH"', 'OK']);
    expect(await untilLine(t, 'AT+CEREG?', /^\+CEREG: 0,2$/)).toEqual(['+CEREG: 0,2', 'OK']);
  });
});

describe('config', () => {
  it('an unknown model is a config error naming it and the models there are', async () => {
    await expect(startTwinModem(sup, { ueId: 'm-x', airDir: join(dir, 'air'), model: 'RM999' }, join(dir, 'cfg'))).rejects.toThrow(
      /model: unknown twin modem model "RM999" \(one of RM520N, RM500Q-early, EG25-G\)/,
    );
  });
});
