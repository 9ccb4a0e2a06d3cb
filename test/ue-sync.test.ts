// The channel's sync barrier on firmware that refuses one of its reads (facts §1: some firmware
// answers ERROR to AT+CMEE?): the next side-effect-free read follows at once, the refused one
// is tried last from then on, and only a modem refusing all of them fails to open. Also the
// field readers: sentinels are absent, and an unusable line's shape ignores its numbers.
import { describe, expect, it } from 'vitest';
import { AtChannel, AtCommandError } from '../harness/ue/index.js';
import { int, cqiOf, shapeOf } from '../harness/ue/at/fields.js';

/** A modem with echo that refuses the read forms in `refuse` (upper case) and answers the others. */
function channel(refuse: string[]): { ch: AtChannel; written: string[] } {
  const written: string[] = [];
  const ch: AtChannel = new AtChannel({
    name: 'ue-sync',
    quietMs: 0,
    write: (d) => {
      const text = d.replace(/\r$/, '');
      written.push(text);
      const u = text.toUpperCase();
      let body = '\r\nOK\r\n';
      if (refuse.includes(u)) body = '\r\nERROR\r\n';
      else if (u === 'AT+CMEE?') body = '\r\n+CMEE: 2\r\n\r\nOK\r\n';
      else if (u === 'AT+CSQ') body = '\r\n+CSQ: 24,99\r\n\r\nOK\r\n';
      else if (u === 'AT+CGEREP?') body = '\r\n+CGEREP: 0,0\r\n\r\nOK\r\n';
      setImmediate(() => ch.feed(`${text}\r${body}`));
    },
  });
  return { ch, written };
}
const barrierName = (t: string) => (/^AT\+[A-Z0-9]*[a-z]/.test(t) ? t.toUpperCase() : null);

describe('sync barrier', () => {
  it('a refused AT+CMEE? is followed at once by AT+CSQ, and tried last from then on', async () => {
    const { ch, written } = channel(['AT+CMEE?']);
    const r = await ch.send('AT+CSQ');
    expect(r.lines).toEqual(['+CSQ: 24,99']);
    expect(written.map((t) => barrierName(t) ?? t)).toEqual(['ATE1', 'AT+CMEE?', 'AT+CSQ', 'AT+CSQ']);
    await ch.resync();
    expect(written.slice(4).map((t) => barrierName(t))).toEqual(['AT+CSQ']);
  });

  it('a modem refusing every barrier read does not open, with the modem’s own words', async () => {
    const { ch, written } = channel(['AT+CMEE?', 'AT+CSQ', 'AT+CGEREP?']);
    const err = await ch.resync().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AtCommandError);
    expect((err as AtCommandError).final).toBe('ERROR');
    expect(written.map((t) => barrierName(t) ?? t)).toEqual(['ATE1', 'AT+CMEE?', 'AT+CSQ', 'AT+CGEREP?']);
  });
});

describe('field readers', () => {
  it('sentinels and dashes are absent, other numbers are kept', () => {
    expect([int('-32768'), int('65535'), int('-'), int(''), int('-140'), int('0'), int('255')]).toEqual([null, null, null, null, -140, 0, 255]);
    expect([cqiOf('255'), cqiOf('15'), cqiOf('-')]).toEqual([null, 15, null]);
  });
  it('a line’s shape keeps prefix, quoted words and field count, not the numbers', () => {
    expect(shapeOf('+QENG:"NR5G-NSA",1,01,500,-75,180,-11,627264')).toBe(shapeOf('+QENG:"NR5G-NSA",460,00,9,-90,3,-12,1'));
    expect(shapeOf('+QENG:"NR5G-NSA",1,01,500,-75,180,-11,627264')).not.toBe(shapeOf('+QENG:"NR5G-NSA",1,01,500,-75,180,-11'));
    expect(shapeOf('+QNWPREFCFG: "nsa_nr5g_band",n78')).toBe('+QNWPREFCFG:"nsa_nr5g_band"/2');
  });
});
