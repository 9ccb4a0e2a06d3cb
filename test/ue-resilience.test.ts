// A modem that stops answering is reset once (AT+CFUN=1,1), then marked failed. A hung modem
// cannot exist here, so the test plays one on a real pseudo-terminal (native/pty.ts): it speaks
// the Quectel AT subset the driver uses until told to go silent, exactly like firmware that hangs.
import { afterEach, describe, expect, it } from 'vitest';
import { openPty, type Pty } from '../native/pty.js';
import { AtModemUe, type UeEvent } from '../harness/ue/index.js';

interface FakeModem {
  pty: Pty;
  /** Every command line the modem received. */
  got: string[];
  silent: boolean;
  /** After AT+CFUN=1,1: come back (RDY, answering) or stay hung. */
  recoverOnReset: boolean;
}

function fakeModem(): FakeModem {
  const pty = openPty();
  const m: FakeModem = { pty, got: [], silent: false, recoverOnReset: false };
  let rx = '';
  const write = (s: string) => pty.stream.write(s, 'latin1');
  const reply = (line: string): string[] => {
    const u = line.toUpperCase();
    if (u === 'AT+CMEE?') return ['+CMEE: 2', 'OK'];
    if (u === 'AT+CSQ') return ['+CSQ: 20,99', 'OK'];
    if (u === 'AT+CGEREP?') return ['+CGEREP: 1,0', 'OK'];
    if (u === 'AT+QENG="SERVINGCELL"') return ['+QENG: "servingcell","SEARCH"', 'OK'];
    return ['OK'];
  };
  pty.stream.on('data', (b: Buffer) => {
    rx += b.toString('latin1');
    for (let i = rx.indexOf('\r'); i >= 0; i = rx.indexOf('\r')) {
      const line = rx.slice(0, i).trim();
      rx = rx.slice(i + 1);
      if (!line) continue;
      m.got.push(line);
      if (m.silent) {
        if (/^AT\+CFUN=1,1$/i.test(line) && m.recoverOnReset) {
          setTimeout(() => {
            m.silent = false;
            write('\r\nRDY\r\n');
          }, 300);
        }
        continue;
      }
      write(`${line}\r`);
      for (const l of reply(line)) write(`\r\n${l}\r\n`);
    }
  });
  return m;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, f: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function start(m: FakeModem, required: boolean): { ue: AtModemUe; events: UeEvent[] } {
  const ue = new AtModemUe({ id: 'ue-hung', port: m.pty.slavePath, required, slackMs: 200, resetWaitMs: 2500, unansweredLimit: 3 });
  const events: UeEvent[] = [];
  ue.on((e) => events.push(e));
  cleanup.push(() => m.pty.close(), () => ue.close());
  return { ue, events };
}

const resets = (m: FakeModem) => m.got.filter((l) => /^AT\+CFUN=1,1$/i.test(l)).length;

describe('a modem that stops answering', () => {
  it('is reset once with AT+CFUN=1,1, then marked failed; a required UE reports it', async () => {
    const m = fakeModem();
    const { ue, events } = start(m, true);
    await ue.open();
    ue.startReadings(200);
    await until('a reading', () => events.some((e) => e.kind === 'reading'), 3000);
    const t0 = Date.now();
    m.silent = true;
    await until('failed', () => events.some((e) => e.kind === 'failed'), 15_000);
    const kinds = events.map((e) => e.kind).filter((k) => k !== 'reading' && k !== 'urc');
    expect(kinds).toEqual(['reset', 'failed']);
    expect(resets(m)).toBe(1);
    expect(ue.health).toBe('failed');
    const failed = events.find((e) => e.kind === 'failed');
    expect(failed).toMatchObject({ required: true, error: { code: 'UE_FAILED', component: 'ue-hung' } });
    await expect(ue.power()).rejects.toMatchObject({ code: 'UE_FAILED' });
    // Readings stopped; nothing more is sent to a failed modem.
    const n = m.got.length;
    await sleep(600);
    expect(m.got.length).toBe(n);
    console.info(`hung -> failed in ${Date.now() - t0} ms`);
  });

  it('answers again after its reset: recovered and readings go on; hanging again fails it without a second reset', async () => {
    const m = fakeModem();
    m.recoverOnReset = true;
    const { ue, events } = start(m, false);
    await ue.open();
    ue.startReadings(200);
    m.silent = true;
    await until('recovered', () => events.some((e) => e.kind === 'recovered'), 15_000);
    expect(ue.health).toBe('ready');
    const readingsBefore = events.filter((e) => e.kind === 'reading').length;
    await until('readings after recovery', () => events.filter((e) => e.kind === 'reading').length > readingsBefore, 3000);
    // The driver configured it again after RDY (CMEE is not saved across a reboot).
    const afterReset = m.got.slice(m.got.findIndex((l) => /^AT\+CFUN=1,1$/i.test(l)));
    expect(afterReset).toContain('AT+CMEE=2');
    expect(afterReset).toContain('ATE1');
    m.recoverOnReset = false;
    m.silent = true;
    await until('failed', () => events.some((e) => e.kind === 'failed'), 15_000);
    expect(events.map((e) => e.kind).filter((k) => k !== 'reading' && k !== 'urc')).toEqual(['reset', 'recovered', 'failed']);
    expect(resets(m)).toBe(1);
    expect(events.find((e) => e.kind === 'failed')).toMatchObject({ required: false });
  });
});
