// Fuzzing the AT channel (fast-check) against a simulated modem on a virtual clock: random
// garbage, truncated lines, stray echoes, URC floods, slow, silent and late replies. The
// invariants: nothing throws, every command settles, and a command that completes gets only its
// own reply: its information lines carry its own id, its CME words are its own, an OK or
// ERROR is the one the modem meant for it; every URC comes out as a URC and never in a reply.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtChannel, AtCommandError, AtProtocolError, AtTimeoutError, CmeError, commandSpec, type AtTimers } from '../harness/ue/index.js';

/** A virtual clock: timers run in time order; promise continuations run between them. */
class Clock implements AtTimers {
  t = 0;
  private seq = 0;
  private q: { at: number; seq: number; fn: () => void; dead: boolean }[] = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const e = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, dead: false };
    this.q.push(e);
    return e;
  };
  clearTimeout = (h: unknown) => {
    if (h) (h as { dead: boolean }).dead = true;
  };
  async run(maxSteps = 200_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      await new Promise((r) => setImmediate(r));
      this.q = this.q.filter((e) => !e.dead);
      if (this.q.length === 0) return;
      let k = 0;
      for (let j = 1; j < this.q.length; j++) if (this.q[j].at < this.q[k].at || (this.q[j].at === this.q[k].at && this.q[j].seq < this.q[k].seq)) k = j;
      const [e] = this.q.splice(k, 1);
      this.t = Math.max(this.t, e.at);
      e.fn();
    }
    throw new Error('virtual clock did not settle');
  }
}

const COMMANDS = ['AT+CSQ', 'AT+CEREG?', 'AT+QENG="servingcell"', 'ATI', 'AT+CGMR', 'AT+CEREG=2', 'AT+CFUN?'];
const URCS = ['RDY', '+CPIN: READY', '+QIND: SMS DONE', '+QUSIM: 1', '+CEREG: 1', '+CEREG: 1,"DE10","5A29C0B",7', '+C5GREG: 0', '+CGEV: NW DETACH', 'POWERED DOWN'];
const FINAL = /^(OK|ERROR|NO CARRIER|\+CM[ES] ERROR:.*)$/;
/** Barrier texts carry a nonce in lower-case letters of the command name. */
const isBarrier = (text: string) => /^AT\+[A-Z0-9]*[a-z]/.test(text);

type Kind = 'ok' | 'cme' | 'error' | 'silent' | 'late';
interface Outcome {
  kind: Kind;
  delayMs: number;
  lines: number;
  truncate: number; // 0 = none, else cut the first info line to this many chars
}
type Noise =
  | { type: 'garbage'; atMs: number; text: string }
  | { type: 'urc'; atMs: number; index: number }
  | { type: 'flood'; atMs: number; count: number }
  | { type: 'echo'; atMs: number; index: number };

/** The channel's limit for a command (slack 0): the vendor maximum; 300 ms for its own ATE1 and barriers. */
const timeoutOf = (text: string) => (isBarrier(text) || text === 'ATE1' ? 300 : commandSpec(text).maxMs);

/** The reply body (info lines) the simulated modem gives command `text` with id `id`. */
function infoLines(text: string, id: number, n: number): string[] {
  const tag = `#${id}#${id}#`;
  const u = text.toUpperCase();
  const rep = (l: string) => Array.from({ length: Math.max(1, n) }, () => l);
  if (u === 'AT+CSQ') return rep(`+CSQ: ${tag}`);
  if (u === 'AT+CMEE?') return rep(`+CMEE: ${tag}`);
  if (u === 'AT+CGEREP?') return rep(`+CGEREP: ${tag}`);
  if (u === 'AT+CFUN?') return rep(`+CFUN: ${tag}`);
  if (u === 'AT+CEREG?') return rep(`+CEREG: 2,1,"${tag}"`);
  if (u === 'AT+QENG="SERVINGCELL"') return rep(`+QENG: "servingcell","${tag}"`);
  if (u === 'ATI') return [`Quectel ${tag}`, `RM520N ${tag}`, `Revision: ${tag}`];
  if (u === 'AT+CGMR') return rep(`REV ${tag}`);
  return []; // AT+CEREG=2 and other writes
}

interface Written {
  id: number;
  text: string;
  outcome: Outcome;
}

/** A modem that processes its input in order; echo when it takes a line up, reply after a delay. */
class SimModem {
  written: Written[] = [];
  urcsSent: string[] = [];
  private busyUntil = 0;
  private n = 0;
  constructor(
    private clock: Clock,
    private echo: boolean,
    private outcomes: Outcome[],
    private chunks: number[],
    private deliver: (s: string) => void,
  ) {}

  emit(s: string): void {
    // In pieces, as a serial port delivers bytes.
    let i = 0;
    let k = 0;
    while (i < s.length) {
      const size = this.chunks[k++ % this.chunks.length];
      this.deliver(s.slice(i, i + size));
      i += size;
    }
  }

  onWrite(data: string): void {
    const text = data.replace(/\r$/, '');
    const id = this.written.length + 1;
    const outcome = this.outcomes[this.n++ % this.outcomes.length];
    this.written.push({ id, text, outcome });
    const start = Math.max(this.clock.now(), this.busyUntil);
    const limit = timeoutOf(text);
    const delay = outcome.kind === 'late' ? limit + 1 + outcome.delayMs * 4 : outcome.kind === 'silent' ? 0 : Math.min(outcome.delayMs, 250);
    this.busyUntil = start + delay + 1;
    this.clock.setTimeout(() => {
      if (this.echo) this.emit(`${text}\r`);
      // ATE1 takes effect when the modem carries it out (and it does, unless it refuses).
      if (text === 'ATE1' && (outcome.kind === 'ok' || outcome.kind === 'late')) this.echo = true;
    }, start - this.clock.now());
    if (outcome.kind === 'silent') return;
    this.clock.setTimeout(() => {
      let out = '';
      if (outcome.kind === 'ok' || outcome.kind === 'late') {
        const lines = infoLines(text, id, outcome.lines);
        if (outcome.truncate > 0 && lines.length > 0) lines[0] = lines[0].slice(0, outcome.truncate);
        for (const l of lines) out += `\r\n${l}\r\n`;
        out += '\r\nOK\r\n';
      } else if (outcome.kind === 'cme') out += `\r\n+CME ERROR: E#${id}#\r\n`;
      else out += '\r\nERROR\r\n';
      this.emit(out);
    }, start + delay - this.clock.now());
  }

  noise(n: Noise): void {
    this.clock.setTimeout(() => {
      if (n.type === 'garbage') this.emit(n.text);
      else if (n.type === 'urc') {
        const u = URCS[n.index % URCS.length];
        this.urcsSent.push(u);
        this.emit(`\r\n${u}\r\n`);
      } else if (n.type === 'flood') {
        let s = '';
        for (let i = 0; i < n.count; i++) {
          const u = URCS[i % URCS.length];
          this.urcsSent.push(u);
          s += `\r\n${u}\r\n`;
        }
        this.emit(s);
      } else this.emit(`${COMMANDS[n.index % COMMANDS.length]}\r`);
    }, n.atMs);
  }
}

const outcomeArb = fc.record({
  kind: fc.constantFrom<Kind>('ok', 'ok', 'ok', 'ok', 'cme', 'error', 'silent', 'late'),
  delayMs: fc.integer({ min: 0, max: 250 }),
  lines: fc.integer({ min: 1, max: 3 }),
  truncate: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 12 })),
});
// Garbage never contains '#' (ids) and never forms a final result code line: a modem's noise
// that spells "OK" on a line of its own cannot be told from an OK by anyone.
const garbageArb = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 :,+"-=?\r\n\x00\xff~'.split('')), minLength: 1, maxLength: 40 })
  .filter((s) => s.split(/[\r\n]/).every((l) => !FINAL.test(l.trim()) && !/^AT/i.test(l.trim())));
const noiseArb: fc.Arbitrary<Noise> = fc.oneof(
  fc.record({ type: fc.constant('garbage' as const), atMs: fc.integer({ min: 0, max: 6000 }), text: garbageArb }),
  fc.record({ type: fc.constant('urc' as const), atMs: fc.integer({ min: 0, max: 6000 }), index: fc.nat() }),
  fc.record({ type: fc.constant('flood' as const), atMs: fc.integer({ min: 0, max: 6000 }), count: fc.integer({ min: 20, max: 300 }) }),
  fc.record({ type: fc.constant('echo' as const), atMs: fc.integer({ min: 0, max: 6000 }), index: fc.nat() }),
);

interface Scenario {
  echo: boolean;
  outcomes: Outcome[];
  commands: { text: string; atMs: number }[];
  noise: Noise[];
  chunks: number[];
}

const scenarioArb = (echo: fc.Arbitrary<boolean>) =>
  fc.record({
    echo,
    outcomes: fc.array(outcomeArb, { minLength: 1, maxLength: 40 }),
    commands: fc.array(fc.record({ text: fc.constantFrom(...COMMANDS), atMs: fc.integer({ min: 0, max: 5000 }) }), { minLength: 1, maxLength: 25 }),
    noise: fc.array(noiseArb, { maxLength: 25 }),
    chunks: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
  });

async function runScenario(sc: Scenario): Promise<void> {
  const clock = new Clock();
  const urcs: string[] = [];
  const sink = { modem: undefined as SimModem | undefined };
  const ch = new AtChannel({
    name: 'ue-fuzz',
    timers: clock,
    slackMs: 0,
    quietMs: 20,
    maxDrainMs: 200,
    onUrc: (l) => urcs.push(l),
    write: (d) => sink.modem!.onWrite(d),
  });
  const sim = new SimModem(clock, sc.echo, sc.outcomes, sc.chunks, (s) => ch.feed(Buffer.from(s, 'latin1')));
  sink.modem = sim;
  for (const n of sc.noise) sim.noise(n);
  const results: { text: string; result?: { lines: string[]; final: string }; error?: Error }[] = [];
  for (const c of sc.commands) {
    clock.setTimeout(() => {
      const r: (typeof results)[number] = { text: c.text };
      results.push(r);
      ch.send(c.text).then(
        (v) => (r.result = v),
        (e: Error) => (r.error = e),
      );
    }, c.atMs);
  }
  await clock.run();
  expect(results).toHaveLength(sc.commands.length);
  // One command in flight at a time, FIFO: the commands that were written (all but those the
  // channel refused before writing) match the modem's non-barrier writes one to one, in order.
  const notWritten = (e?: Error) => !!e && (e as { written?: boolean }).written === false;
  const sent = results.filter((r) => !notWritten(r.error));
  const writes = sim.written.filter((w) => !isBarrier(w.text) && w.text !== 'ATE1');
  expect(writes.map((w) => w.text)).toEqual(sent.map((r) => r.text));
  sent.forEach((r, i) => {
    const own = writes[i];
    expect(r.result !== undefined || r.error !== undefined, `${r.text} never settled`).toBe(true);
    if (r.result) {
      // An OK is its own: the modem meant OK for this very write, and every id in its lines is its own.
      expect(r.result.final).toBe('OK');
      expect(own.outcome.kind).toBe('ok');
      for (const l of r.result.lines) {
        for (const m of l.matchAll(/#(\d+)/g)) expect(String(own.id).startsWith(m[1]), `${l} in reply to write ${own.id}`).toBe(true);
        for (const m of l.matchAll(/#(\d+)#(\d+)#/g)) expect([m[1], m[2]]).toEqual([String(own.id), String(own.id)]);
        expect(URCS).not.toContain(l);
        expect(l).not.toMatch(FINAL);
      }
    } else {
      const e = r.error!;
      if (e instanceof CmeError) {
        expect(e.words).toBe(`E#${own.id}#`);
        expect(own.outcome.kind).toBe('cme');
      } else if (e instanceof AtCommandError) {
        expect(e.final).toBe('ERROR');
        expect(own.outcome.kind).toBe('error');
      } else expect(e instanceof AtTimeoutError || e instanceof AtProtocolError, String(e)).toBe(true);
    }
  });
  // Every URC the modem sent came out as a URC, in order.
  expect(urcs.filter((u) => URCS.includes(u))).toEqual(sim.urcsSent);
}

describe('AT channel fuzz (fast-check)', () => {
  it('echo on: garbage, truncation, stray echoes, URC floods, silent and late replies never mispair', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb(fc.constant(true)), runScenario), { numRuns: 150 });
  });

  it('a modem that starts with echo off is given ATE1 and then pairs as well', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb(fc.constant(false)), runScenario), { numRuns: 150 });
  });

  it('a late echo and OK are not given to the next command with the same text', async () => {
    // AT+CSQ keeps the modem busy past its limit, so AT+CEREG=2 #1 times out before the modem
    // even echoes it; its echo and OK then come while AT+CEREG=2 #2 would be in flight. Without
    // the barrier, #2 would take them for its own (and the modem meant ERROR for #2).
    const ok: Outcome = { kind: 'ok', delayMs: 0, lines: 1, truncate: 0 };
    const err: Outcome = { kind: 'error', delayMs: 0, lines: 1, truncate: 0 };
    const slow: Outcome = { kind: 'late', delayMs: 100, lines: 1, truncate: 0 }; // ends between #1's and #2's time limits
    for (const echo of [true, false]) {
      await runScenario({
        echo,
        outcomes: [ok, ok, slow, ok, err, err, err, err],
        commands: [{ text: 'AT+CSQ', atMs: 0 }, { text: 'AT+CEREG=2', atMs: 0 }, { text: 'AT+CEREG=2', atMs: 0 }],
        noise: [],
        chunks: [5],
      });
    }
  });

  it('survives 1 MB of random bytes and an overlong line', async () => {
    const clock = new Clock();
    let noise = 0;
    const ch = new AtChannel({ name: 'ue', timers: clock, write: () => undefined, onNoise: () => noise++ });
    const buf = Buffer.alloc(1 << 20);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24;
    ch.feed(buf);
    ch.feed('x'.repeat(100_000));
    expect(noise).toBeGreaterThan(0);
    const p = ch.send('AT+CSQ', { timeoutMs: 50 });
    await Promise.all([clock.run(), expect(p).rejects.toBeInstanceOf(AtTimeoutError)]);
  });
});
