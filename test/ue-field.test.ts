// Reply lines as Quectel modules really print them (test/fixtures/quectel/field.json: public
// transcripts and other projects' test data, each with its source; plus lines written from the
// manual and the fact sheet), through the AT channel and the parsers. The expected values in
// the fixture were written by hand from the manuals' field order; nothing here is produced by
// ranlab's own formatter.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AtChannel,
  lteSinrScaleForModel,
  parseBandLock,
  parseCgact,
  parseCgpaddr,
  parseCops,
  parseRegistration,
  parseServingCell,
  servingLegs,
  toPoints,
  type AtReply,
} from '../harness/ue/index.js';

interface FieldCase {
  name: string;
  origin: 'field' | 'manual' | 'fact-sheet';
  source: string;
  command: string;
  lines: string[];
  final: string;
  model?: string;
  expect: Record<string, unknown>;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/quectel/field.json', import.meta.url), 'utf8')) as { cases: FieldCase[] };

/** The bytes a modem with echo on sends for this case: echo, each line framed <CR><LF>..<CR><LF>, the final code. */
function stream(c: FieldCase): string {
  return `${c.command}\r` + c.lines.map((l) => `\r\n${l}\r\n`).join('') + `\r\n${c.final}\r\n`;
}

/** Send the case's command through a channel whose modem answers with the case's bytes. */
async function exchange(c: FieldCase): Promise<AtReply> {
  const ch: AtChannel = new AtChannel({
    name: 'ue-field',
    quietMs: 0,
    write: (d) => {
      const reply = d === 'ATE1\r' ? 'ATE1\r\r\nOK\r\n' : /^AT\+CMEE\?\r$/i.test(d) ? `${d}\r\n+CMEE: 2\r\n\r\nOK\r\n` : stream(c);
      setImmediate(() => {
        for (let i = 0; i < reply.length; i += 5) ch.feed(Buffer.from(reply.slice(i, i + 5), 'latin1'));
      });
    },
  });
  return ch.send(c.command);
}

describe('field corpus: every case has its source and parses to the hand-written values', () => {
  it('has real transcripts of every serving-cell shape the fact sheet lists', () => {
    const field = fixture.cases.filter((c) => c.origin === 'field');
    expect(field.length).toBeGreaterThanOrEqual(10);
    for (const c of fixture.cases) expect(c.source.length, c.name).toBeGreaterThan(10);
    const qeng = field.filter((c) => c.command === 'AT+QENG="servingcell"').flatMap((c) => c.lines);
    expect(qeng.some((l) => /^\+QENG:\s*"NR5G-NSA"(,[^,]*){6}$/.test(l)), 'a short 6-field NSA line').toBe(true);
    expect(qeng.some((l) => /^\+QENG:\s*"NR5G-NSA"(,[^,]*){10}$/.test(l)), 'a 10-field NSA line').toBe(true);
    expect(qeng.some((l) => /"NR5G-SA"/.test(l)), 'an SA line').toBe(true);
    expect(qeng.some((l) => /"LTE"(,[^,]*){15}$/.test(l)), 'a 15-field LTE line').toBe(true);
    expect(qeng.some((l) => /"LTE"(,[^,]*){17}$/.test(l)), 'a 17-field LTE line').toBe(true);
  });

  for (const c of fixture.cases) {
    it(`${c.origin}: ${c.name}`, async () => {
      const reply = await exchange(c);
      expect(reply.lines).toEqual(c.lines);
      const e = c.expect;
      if (c.command === 'AT+QENG="servingcell"') {
        const unparsed: string[] = [];
        const s = parseServingCell(reply.lines, { lteSinr: lteSinrScaleForModel(c.model), onUnparsed: (l) => unparsed.push(l) });
        expect(unparsed).toEqual([]);
        expect({ state: s.state, rat: s.rat }).toEqual({ state: e.state, rat: e.rat });
        const legs = Object.fromEntries(servingLegs(s));
        expect(Object.keys(legs).sort()).toEqual(['lte', 'nr'].filter((k) => k in e));
        if (e.lte) expect(legs.lte).toMatchObject(e.lte as object);
        if (e.nr) expect(legs.nr).toMatchObject(e.nr as object);
      } else if ('registration' in e) expect(parseRegistration(reply.lines[0])).toEqual(e.registration);
      else if ('cops' in e) expect(parseCops(reply.lines[0])).toEqual(e.cops);
      else if ('cgact' in e) expect(Object.fromEntries([...parseCgact(reply.lines)].map(([k, v]) => [String(k), v]))).toEqual(e.cgact);
      else if ('dataSession' in e) expect(parseCgpaddr(reply.lines, 1)).toEqual(e.dataSession);
      else if ('bandLock' in e) expect(parseBandLock(reply.lines)).toEqual(e.bandLock);
      else throw new Error(`case ${c.name} expects nothing this test knows`);
    });
  }
});

describe('serving cell: legs, sentinels and lines of unknown shape', () => {
  const byName = new Map(fixture.cases.map((c) => [c.name, c]));
  const lines = (name: string) => byName.get(name)!.lines;

  it('EN-DC: both legs become ue_radio points; the LTE line’s CQI stays with the LTE anchor, the NR point carries no CQI', () => {
    const s = parseServingCell(lines('EN-DC, full lines, LTE B1 + n41'));
    expect(s.primary?.cqi).toBe(15);
    expect(s.nr?.cqi).toBeNull();
    const [lte, nr] = toPoints({ ueId: 'u', timestampNs: 1n, serving: s }, {});
    expect(lte.tags.rat).toBe('lte');
    expect(lte.fields).toMatchObject({ cqi: 15, pci: s.primary!.pci! });
    expect(nr.tags.rat).toBe('nr');
    expect(nr.fields).toEqual({ rsrpDbm: -76, rsrqDb: -11, sinrDb: 21, sinrRaw: 21, band: 'n41', arfcn: 528030, pci: 832 });
  });

  it('a leg of unknown shape is reported and left out; the other leg is kept', () => {
    const odd = '+QENG:"NR5G-NSA",460,01,747,-71,30,-11,627264';
    const reported: string[] = [];
    const s = parseServingCell(['+QENG: "servingcell","NOCONN"', '+QENG: "LTE","FDD",460,01,5F1EA15,12,1650,3,5,5,DE10,-100,-12,-68,11,7,-,-', odd], { onUnparsed: (l) => reported.push(l) });
    expect(reported).toEqual([odd]);
    expect(s.rat).toBe('LTE');
    expect(s.primary?.pci).toBe(12);
    expect(s.nr).toBeNull();
  });

  it('a reply with nothing usable is a parse error naming the line', () => {
    expect(() => parseServingCell(['+QENG: "servingcell","NOCONN","LTE","FDD",460,01'])).toThrow(/LTE serving cell has 3 fields/);
    expect(() => parseServingCell(['+QENG: "servingcell","NOCONN"'])).toThrow(/without LTE, NR5G-SA or NR5G-NSA/);
  });

  it('the model picks the LTE SINR scale; the raw value is kept either way', () => {
    const l = lines('RM500Q early firmware, EN-DC with the short 6-field NR line (Amarisoft callbox)');
    expect(parseServingCell(l).primary).toMatchObject({ sinrRaw: 25, sinrDb: 25 });
    expect(parseServingCell(l, { lteSinr: lteSinrScaleForModel('RM500Q') }).primary).toMatchObject({ sinrRaw: 25, sinrDb: 30 });
    expect(lteSinrScaleForModel('EG25')).toBeUndefined();
  });
});
