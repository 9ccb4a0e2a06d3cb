// The Quectel reply corpus (test/fixtures/quectel/corpus.json: replies exactly as the manuals
// print them) through the AT channel and the parsers: every reply reaches its command, every
// URC comes out as a URC, and the parsed values are the printed ones.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AtChannel,
  AtCommandError,
  CmeError,
  commandSpec,
  parseAti,
  parseBandLock,
  parseCfun,
  parseCgpaddr,
  parseCops,
  parseCsq,
  parseImei,
  parseImsi,
  parseRegistration,
  parseServingCell,
  toPoints,
  type AtReply,
} from '../harness/ue/index.js';

interface Case {
  name: string;
  command: string;
  stream: string;
  urcs?: string[];
}
const corpus = JSON.parse(readFileSync(new URL('./fixtures/quectel/corpus.json', import.meta.url), 'utf8')) as { cases: Case[] };
const byName = new Map(corpus.cases.map((c) => [c.name, c]));

/** Send `c.command` through a channel whose modem answers with the corpus bytes. */
async function exchange(c: Case): Promise<{ reply: AtReply | null; error: Error | null; urcs: string[]; noise: string[] }> {
  const urcs: string[] = [];
  const noise: string[] = [];
  const ch: AtChannel = new AtChannel({
    name: 'ue-t',
    onUrc: (l) => urcs.push(l),
    onNoise: (l) => noise.push(l),
    quietMs: 0,
    write: (d) => {
      // The channel turns echo on and resynchronises first (ATE1, AT+cMEE?), then sends the command.
      const reply = d === 'ATE1\r' ? 'ATE1\r\r\nOK\r\n' : /^AT\+CMEE\?\r$/i.test(d) ? `${d}\r\n+CMEE: 2\r\n\r\nOK\r\n` : c.stream;
      // Bytes arrive in small pieces, as from a serial port.
      setImmediate(() => {
        for (let i = 0; i < reply.length; i += 7) ch.feed(Buffer.from(reply.slice(i, i + 7), 'latin1'));
      });
    },
  });
  try {
    const reply = await ch.send(c.command);
    return { reply, error: null, urcs, noise };
  } catch (err) {
    return { reply: null, error: err as Error, urcs, noise };
  }
}

function get(name: string): Case {
  const c = byName.get(name);
  if (!c) throw new Error(`no corpus case ${name}`);
  return c;
}

describe('corpus: every case pairs and classifies', () => {
  for (const c of corpus.cases) {
    it(c.name, async () => {
      const r = await exchange(c);
      expect(r.urcs).toEqual(c.urcs ?? []);
      expect(r.noise).toEqual([]);
      if (r.reply) {
        expect(r.reply.final).toBe('OK');
        for (const l of r.reply.lines) expect(c.stream).toContain(l);
        expect(r.reply.lines.some((l) => (c.urcs ?? []).includes(l))).toBe(false);
        expect(r.reply.lines).not.toContain(c.command);
      } else expect(r.error).toBeInstanceOf(AtCommandError);
    });
  }
});

describe('corpus: parsed values', () => {
  it('LTE serving cell (RM5x0N, 17 fields)', async () => {
    const { reply } = await exchange(get('servingcell LTE (RM5x0N)'));
    const s = parseServingCell(reply!.lines);
    expect(s.state).toBe('NOCONN');
    expect(s.rat).toBe('LTE');
    expect(s.nr).toBeNull();
    expect(s.primary).toMatchObject({
      duplex: 'FDD',
      mcc: '460',
      mnc: '01',
      cellId: '5F1EA15',
      pci: 12,
      arfcn: 1650,
      band: 'B3',
      bandwidthMHz: 20,
      tac: 'DE10',
      rsrpDbm: -100,
      rsrqDb: -12,
      rssiDbm: -68,
      sinrDb: 2, // 11 / 5 x 10 - 20
      cqi: null,
      txPowerDbm: null,
      srxlev: 27,
    });
  });

  it('NR5G-SA serving cell', async () => {
    const { reply } = await exchange(get('servingcell NR5G-SA (RM5x0N)'));
    const s = parseServingCell(reply!.lines);
    expect(s).toMatchObject({ state: 'NOCONN', rat: 'NR5G-SA' });
    expect(s.primary).toMatchObject({
      duplex: 'TDD',
      mcc: '460',
      mnc: '01',
      cellId: '9013B004',
      pci: 299,
      tac: '690E0F',
      arfcn: 633984,
      band: 'n78',
      bandwidthMHz: 100,
      rsrpDbm: -107,
      rsrqDb: -13,
      sinrDb: 2,
      scsKHz: 30,
      srxlev: null,
    });
    expect(s.nr).toBe(s.primary);
  });

  it('EN-DC: LTE anchor and NR5G-NSA leg (SINR before RSRQ, no space after +QENG:)', async () => {
    const { reply } = await exchange(get('servingcell EN-DC (LTE + NR5G-NSA)'));
    expect(reply!.lines).toHaveLength(3);
    const s = parseServingCell(reply!.lines);
    expect(s).toMatchObject({ state: 'NOCONN', rat: 'NR5G-NSA' });
    expect(s.primary).toMatchObject({ band: 'B3', pci: 12, rsrpDbm: -100 });
    expect(s.nr).toMatchObject({ mcc: '460', mnc: '01', pci: 747, rsrpDbm: -71, sinrDb: 30, rsrqDb: -11, arfcn: 627264, band: 'n78', bandwidthMHz: 100, scsKHz: 30 });
  });

  it('SEARCH', async () => {
    const { reply } = await exchange(get('servingcell SEARCH'));
    expect(parseServingCell(reply!.lines)).toEqual({ state: 'SEARCH', rat: null, primary: null, nr: null });
  });

  it('EC25/EG25 LTE line (15 fields, SINR in dB)', async () => {
    const { reply } = await exchange(get('servingcell LTE (EC25/EG25, no CQI/tx_power)'));
    const s = parseServingCell(reply!.lines);
    expect(s.primary).toMatchObject({ duplex: 'TDD', mnc: '00', cellId: '82E8C80', pci: 87, arfcn: 38400, band: 'B39', rsrpDbm: -93, rsrqDb: -13, rssiDbm: -59, sinrDb: -4, cqi: null, srxlev: 46 });
  });

  it('registration read replies and URCs', async () => {
    const ce = await exchange(get('CEREG read'));
    expect(parseRegistration(ce.reply!.lines[0])).toEqual({ domain: 'CEREG', n: 2, stat: 1, registered: true, tac: 'DE10', ci: '5A29C0B', act: 7 });
    const c5 = await exchange(get('C5GREG read'));
    expect(parseRegistration(c5.reply!.lines[0])).toEqual({ domain: 'C5GREG', n: 2, stat: 1, registered: true, tac: '690E0F', ci: '9013B004', act: 11 });
    const urc = await exchange(get('CREG URC while CEREG read in flight'));
    expect(parseRegistration(urc.urcs[0])).toEqual({ domain: 'CREG', n: null, stat: 1, registered: true, tac: 'D509', ci: '80D413D', act: 7 });
    expect(urc.reply!.lines).toEqual(['+CEREG: 2,1,"DE10","5A29C0B",7']);
    const same = await exchange(get('CEREG URC while CEREG read in flight (same prefix)'));
    expect(same.reply!.lines).toEqual(['+CEREG: 2,1,"DE10","5A29C0B",7']);
    expect(parseRegistration('+CEREG: 2')).toMatchObject({ n: null, stat: 2, registered: false, tac: null });
    expect(parseRegistration('+C5GREG: 0,0')).toMatchObject({ n: 0, stat: 0 });
  });

  it('CGPADDR, QNWPREFCFG, CSQ, CFUN, COPS', async () => {
    expect(parseCgpaddr((await exchange(get('CGPADDR with address'))).reply!.lines, 1)).toEqual({ cid: 1, active: true, address: '10.76.51.180' });
    expect(parseCgpaddr((await exchange(get('CGPADDR without address'))).reply!.lines, 1)).toEqual({ cid: 1, active: false, address: null });
    const lte = (await exchange(get('QNWPREFCFG lte_band'))).reply!.lines;
    const mode = (await exchange(get('QNWPREFCFG mode_pref'))).reply!.lines;
    expect(parseBandLock([...lte, ...mode])).toEqual({ lte: [1, 3, 7, 20], modePref: 'AUTO' });
    expect((await exchange(get('QNWPREFCFG write'))).reply!.lines).toEqual([]);
    expect(parseCsq((await exchange(get('CSQ'))).reply!.lines[0])).toEqual({ rssi: 28, ber: 99, rssiDbm: -57 });
    expect(parseCfun((await exchange(get('CFUN read'))).reply!.lines[0])).toBe(1);
    expect(parseCops((await exchange(get('COPS read'))).reply!.lines[0])).toEqual({ mode: 0, format: 0, operator: 'CHINA MOBILE', act: 13 });
    expect(parseCops((await exchange(get('COPS read, no operator'))).reply!.lines[0])).toEqual({ mode: 0, format: null, operator: null, act: null });
  });

  it('identity: ATI, CGSN, CIMI (bare lines)', async () => {
    expect(parseAti((await exchange(get('ATI'))).reply!.lines)).toEqual({ manufacturer: 'Quectel', model: 'EC25', revision: 'EC25EFAR02A09M4G' });
    expect(parseImei((await exchange(get('CGSN'))).reply!.lines)).toBe('866425030087385');
    expect(parseImsi((await exchange(get('CIMI'))).reply!.lines)).toBe('460023210226023');
  });

  it('CME errors carry the modem’s own words and the 27.007 code', async () => {
    const num = (await exchange(get('CME error numeric (CMEE=1)'))).error as CmeError;
    expect(num).toBeInstanceOf(CmeError);
    expect(num.words).toBe('10');
    expect(num.cmeCode).toBe(10);
    expect(num.code).toBe('AT_CME_ERROR');
    expect(num.component).toBe('ue-t');
    const verbose = (await exchange(get('CME error verbose (CMEE=2)'))).error as CmeError;
    expect(verbose.words).toBe('SIM not inserted');
    expect(verbose.cmeCode).toBe(10);
    expect(verbose.message).toContain('SIM not inserted');
    const plain = (await exchange(get('plain ERROR'))).error as AtCommandError;
    expect(plain).not.toBeInstanceOf(CmeError);
    expect(plain.final).toBe('ERROR');
    const nc = (await exchange(get('CGACT ending NO CARRIER'))).error as AtCommandError;
    expect(nc.final).toBe('NO CARRIER');
  });

  it('URCs interleaved with a reply: the reply is only the +QENG line', async () => {
    const c = get('URCs interleaved with a servingcell reply');
    const r = await exchange(c);
    expect(r.reply!.lines).toHaveLength(1);
    expect(parseServingCell(r.reply!.lines).primary?.pci).toBe(299);
    expect(r.urcs).toEqual(c.urcs);
  });
});

describe('commandSpec: timeouts and reply shapes', () => {
  it('uses the vendor maximum response times', () => {
    expect(commandSpec('AT+COPS=?').maxMs).toBe(180_000);
    expect(commandSpec('AT+COPS=0').maxMs).toBe(180_000);
    expect(commandSpec('AT+CGACT=1,1').maxMs).toBe(150_000);
    expect(commandSpec('AT+CFUN=1,1').maxMs).toBe(15_000);
    expect(commandSpec('AT+QENG="servingcell"').maxMs).toBe(300);
    expect(commandSpec('AT+CEREG?').maxMs).toBe(300);
  });
  it('knows which replies carry which lines', () => {
    expect(commandSpec('AT+CEREG=2')).toMatchObject({ prefix: null, infoRequired: false });
    expect(commandSpec('AT+CEREG?')).toMatchObject({ prefix: '+CEREG:', infoRequired: true, form: 'read' });
    expect(commandSpec('ATI')).toMatchObject({ unprefixed: true, infoRequired: true });
    expect(commandSpec('AT+QNWPREFCFG="lte_band"')).toMatchObject({ infoRequired: true });
    expect(commandSpec('AT+QNWPREFCFG="lte_band",1:3')).toMatchObject({ infoRequired: false });
    expect(commandSpec('AT+CGACT=1,1')).toMatchObject({ noCarrierFinal: true });
  });
});

describe('parsers refuse what the manual does not print', () => {
  it('wrong field counts and unknown states are parse errors, not wrong numbers', () => {
    expect(() => parseServingCell(['+QENG: "servingcell","NOCONN","LTE","FDD",460,01'])).toThrow(/fields/);
    expect(() => parseServingCell(['+QENG: "servingcell","BOGUS"'])).toThrow(/state/);
    expect(() => parseServingCell(['+CSQ: 1,2'])).toThrow(/servingcell/);
    expect(() => parseCsq('+CSQ: x')).toThrow();
  });
  it('RM500Q variant: tx_power where RM520N has scs is recognised by value', () => {
    const s = parseServingCell(['+QENG: "servingcell","CONNECT","NR5G-SA","TDD",460,01,9013B004,299,690E0F,633984,78,12,-107,-13,2,230,-']);
    expect(s.primary).toMatchObject({ scsKHz: null, txPowerDbm: 23 });
  });
});

describe('toPoints', () => {
  it('makes one ue_radio point per leg with the documented tags and fields', () => {
    const serving = parseServingCell(['+QENG: "servingcell","NOCONN","NR5G-SA","TDD",460,01,9013B004,299,690E0F,633984,78,12,-107,-13,2,1,-']);
    const pts = toPoints({ ueId: 'ue-a1', timestampNs: 123n, serving }, { rig: 'twin', trial: 't1', operator: 'op-a' });
    expect(pts).toEqual([
      {
        measurement: 'ue_radio',
        tags: { rig: 'twin', trial: 't1', operator: 'op-a', ue: 'ue-a1', rat: 'nr' },
        fields: { rsrpDbm: -107, rsrqDb: -13, sinrDb: 2, sinrRaw: 2, band: 'n78', arfcn: 633984, pci: 299 },
        timestampNs: 123n,
      },
    ]);
    expect(toPoints({ ueId: 'x', timestampNs: 1n, serving: parseServingCell(['+QENG: "servingcell","SEARCH"']) }, {})).toEqual([]);
  });
});
