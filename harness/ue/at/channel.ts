// The AT command channel: one command in flight at a time, a FIFO queue behind it, a time
// limit per command, and the pairing of reply lines with the command that caused them.
// It knows nothing of serial ports: bytes come in through feed(), go out through `write`,
// and time comes from `timers` (so a test can drive it on a virtual clock).
//
// How a reply is paired with its command (tested with fast-check in test/ue-fuzz.test.ts):
//
// 1. Only the in-flight command can receive lines. With nothing in flight, every line is a
//    URC (known URC forms) or noise (late replies, garbage), never kept for later.
// 2. A line belongs to the in-flight command only if it has the command's reply prefix
//    (`+CSQ:` for AT+CSQ), or the command answers with bare lines (ATI, AT+CGSN, AT+CIMI,
//    commands typed by hand) and the line is no URC. A registration line (+CEREG: ...) while
//    a read of that prefix is in flight is the reply only if it has the read shape
//    (`<n>,<stat>,...`); otherwise, and at any other time, it is a URC.
// 3. Echo: the channel keeps the modem's echo on (it sends ATE1 itself whenever it does not
//    know the echo to be on: at start, after a reset, after RDY; ATE0 is refused). A command
//    accepts nothing before its own echo, which is stripped. The modem works through its
//    input in order and echoes a line when it takes it up, so anything an earlier command
//    still had to say comes before that echo and is dropped.
// 4. A command that times out leaves the channel unsynchronised: its reply may still come,
//    and a later command with the same text would take that late echo for its own. So before
//    the next command is written the channel drains (waits for the line to go quiet), makes
//    sure the echo is on, and sends a barrier: a side-effect-free read whose text carries a
//    nonce in the letter case of its command name (AT+cMeE?; names are case-insensitive, the
//    echo is verbatim, so that echo is unique and never one of the driver's upper-case
//    commands). The barrier accepts lines only after its own echo and completes only on its
//    own information line and a final result code. Everything before it, late replies
//    included, is dropped; only then is the next command written. A late OK thus never
//    completes a later command. (Defence in depth, for a modem that echoed a line the moment
//    it arrived rather than when it took it up: the barrier read is AT+CMEE?, AT+CSQ or
//    AT+CGEREP?, the first whose reply prefix no command that timed out since has; none is
//    a URC prefix.) A barrier the modem refuses (ERROR; some firmware refuses AT+CMEE?) is
//    followed at once by the next base, and tried last from then on: opening never depends
//    on one command.
// 5. A command whose successful reply always has an information line (reads, AT+CSQ,
//    AT+QENG, ...) that gets OK without one is refused (AtProtocolError) and the channel
//    resynchronises as in 4: that OK may not have been its own.
// 6. Only the in-flight command can time out; each command's limit is the vendor maximum
//    response time plus a slack for transport and host latency.
// 7. Bounded input: a line longer than MAX_LINE without a terminator is dropped as noise, and
//    a reply keeps at most MAX_REPLY_LINES lines, so a hostile or broken peer costs memory
//    and time only within bounds.
import { ConfigError } from '../../errors.js';
import { commandSpec, DEFAULT_MAX_MS, finalKind, isRegLine, isRegReadShape, isUrcLine, type CommandSpec } from './commands.js';
import { AtCommandError, AtProtocolError, AtTimeoutError, CmeError, UeDisconnectedError } from './errors.js';

export const MAX_LINE = 4096;
export const MAX_REPLY_LINES = 512;

export interface AtTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Monotonic ms. */
  now(): number;
}

export const realTimers: AtTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => performance.now(),
};

export interface AtReply {
  command: string;
  /** Information lines, in order, without echo, URCs or the final result code. */
  lines: string[];
  /** The final result line (`OK`). */
  final: string;
}

export interface SendOptions {
  /** Override the time limit (default: vendor maximum + slack). */
  timeoutMs?: number;
  /** A command typed by hand: unprefixed lines are its reply, no information line required. */
  raw?: boolean;
}

export interface AtChannelOptions {
  /** The UE id: every error names it. */
  name: string;
  write: (data: string) => void;
  onUrc?: (line: string) => void;
  /** Lines attributed to nothing (late replies, garbage, stray echoes); for diagnostics. */
  onNoise?: (line: string, why: string) => void;
  timers?: AtTimers;
  /** Added to the vendor maximum response time for transport and host latency (default 700 ms). */
  slackMs?: number;
  /** Quiet time the drain waits for before a barrier (default 100 ms, at most maxDrainMs). */
  quietMs?: number;
  maxDrainMs?: number;
}

interface Job {
  spec: CommandSpec;
  timeoutMs: number;
  resolve: (r: AtReply) => void;
  reject: (e: Error) => void;
}

interface InFlight {
  spec: CommandSpec;
  requireEcho: boolean;
  echoSeen: boolean;
  lines: string[];
  finish: (err: Error | null, reply?: AtReply) => void;
}

/** Barrier reads, each with a reply prefix of its own and no side effects. */
const BARRIER_BASES = ['AT+CMEE?', 'AT+CSQ', 'AT+CGEREP?'];
const BARRIER_PREFIXES = BARRIER_BASES.map((b) => commandSpec(b).prefix!);

/**
 * The barrier's text with a nonce in the letter case of its command name (`AT+cMeE?`):
 * command names are case-insensitive (V.250), and the modem echoes the line verbatim, so the
 * echo of barrier k is unique among the last 2^letters - 1 barriers, and never equal to a
 * command the driver sends (those are upper case).
 */
export function barrierText(base: string, k: number): string {
  const letters = (/^AT[+]([A-Z0-9]+)/.exec(base)?.[1] ?? '').replace(/[^A-Z]/g, '').length;
  const nonce = 1 + (k % ((1 << letters) - 1));
  let bit = 0;
  return base.replace(/^(AT[+])([A-Z0-9]+)/, (_m, at: string, name: string) =>
    at + [...name].map((ch) => (/[A-Z]/.test(ch) ? ((nonce >> bit++) & 1 ? ch.toLowerCase() : ch) : ch)).join(''),
  );
}

export class AtChannel {
  private readonly name: string;
  private readonly timers: AtTimers;
  private readonly slackMs: number;
  private readonly quietMs: number;
  private readonly maxDrainMs: number;
  private queue: Job[] = [];
  private current: InFlight | null = null;
  private pumping = false;
  /** False after a timeout or a protocol error, and at start: a barrier runs before the next command. */
  private synced = false;
  /** Reply prefixes of commands that timed out since the last successful barrier. */
  private outstanding = new Set<string>();
  private rx = '';
  private lastRxAt: number;
  private closedBy: Error | null = null;
  private barrierCount = 0;
  /** Barrier bases this modem answered ERROR to (tried last from then on). */
  private refusedBarriers = new Set<string>();
  /** Whether the modem's echo is known to be on (see header, rule 3). */
  private echoOn = false;
  /** Consecutive commands (barriers included) that got no final result code in time. */
  consecutiveTimeouts = 0;

  constructor(private readonly opts: AtChannelOptions) {
    this.name = opts.name;
    this.timers = opts.timers ?? realTimers;
    this.slackMs = opts.slackMs ?? 700;
    this.quietMs = opts.quietMs ?? 100;
    this.maxDrainMs = opts.maxDrainMs ?? 1000;
    this.lastRxAt = this.timers.now();
  }

  get isSynced(): boolean {
    return this.synced;
  }

  /**
   * The modem (may have) rebooted or lost its settings (RDY, a reset): the echo is no longer
   * known to be on, and the next command is preceded by ATE1 and a barrier.
   */
  invalidate(): void {
    this.echoOn = false;
    this.synced = false;
  }

  get isClosed(): boolean {
    return this.closedBy !== null;
  }

  /** Queue a command; resolves with its reply on OK, rejects with a typed error otherwise. */
  send(command: string, options: SendOptions = {}): Promise<AtReply> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const text = command.replace(/[\r\n]+$/, '');
    if (/[\r\n]/.test(text)) return Promise.reject(new ConfigError(`AT command must be one line: ${JSON.stringify(command)}`, 'AT_INVALID'));
    if (!/^AT/i.test(text)) return Promise.reject(new ConfigError(`not an AT command: ${JSON.stringify(command)}`, 'AT_INVALID'));
    const spec = commandSpec(text, options.raw ?? false);
    const arg = text.slice(3).trim();
    if ((spec.name === 'V' && arg === '0') || (spec.name === 'Q' && arg === '1') || (spec.name === 'E' && (arg === '' || arg === '0'))) {
      return Promise.reject(new ConfigError(`${text}: this driver keeps echo and verbose result codes on (reply pairing relies on them)`, 'AT_UNSUPPORTED'));
    }
    const timeoutMs = options.timeoutMs ?? spec.maxMs + this.slackMs;
    return new Promise<AtReply>((resolve, reject) => {
      this.queue.push({ spec, timeoutMs, resolve, reject });
      void this.pump();
    });
  }

  /** Run a barrier now (e.g. a liveness probe); rejects with AtTimeoutError if the modem does not answer. */
  async resync(): Promise<void> {
    this.synced = false;
    await new Promise<AtReply>((resolve, reject) => {
      // An empty job that only needs the barrier: queued like a command so ordering holds.
      this.queue.push({ spec: commandSpec('AT'), timeoutMs: -1, resolve, reject });
      void this.pump();
    });
  }

  /** Bytes from the modem. */
  feed(data: Buffer | string): void {
    if (this.closedBy) return;
    this.lastRxAt = this.timers.now();
    this.rx += typeof data === 'string' ? data : data.toString('latin1');
    for (;;) {
      const m = /[\r\n]/.exec(this.rx);
      if (!m) break;
      const line = this.rx.slice(0, m.index).trim();
      this.rx = this.rx.slice(m.index + 1);
      if (line.length > 0) this.onLine(line);
      if (this.closedBy) return;
    }
    if (this.rx.length > MAX_LINE) {
      this.noise(this.rx.slice(0, 80), 'line too long');
      this.rx = '';
    }
  }

  /** Fail the command in flight and everything queued; later sends fail at once. */
  close(err: Error = new UeDisconnectedError(this.name, 'AT channel closed')): void {
    if (this.closedBy) return;
    this.closedBy = err;
    const cur = this.current;
    this.current = null;
    cur?.finish(err);
    for (const j of this.queue.splice(0)) j.reject(err);
  }

  private noise(line: string, why: string): void {
    this.opts.onNoise?.(line, why);
  }

  private urc(line: string): void {
    this.opts.onUrc?.(line);
  }

  private onLine(line: string): void {
    const cur = this.current;
    if (!cur) {
      if (isUrcLine(line) && !isRegReadShape(line)) this.urc(line);
      else this.noise(line, 'nothing in flight');
      return;
    }
    const { spec } = cur;
    if (line === spec.text && !cur.echoSeen && cur.lines.length === 0) {
      cur.echoSeen = true;
      return;
    }
    const fin = finalKind(line, spec.noCarrierFinal);
    const owns = this.owns(spec, line);
    const gated = cur.requireEcho && !cur.echoSeen;
    if (fin) {
      if (gated) return this.noise(line, 'final result code before the echo');
      if (fin === 'OK') {
        if (spec.infoRequired && cur.lines.length === 0) {
          // Not its own OK: its own reply is still to come, like a timed-out command's.
          this.synced = false;
          if (spec.prefix) this.outstanding.add(spec.prefix);
          return cur.finish(new AtProtocolError(this.name, spec.text, 'OK without its information line (a late reply of an earlier command?)'));
        }
        return cur.finish(null, { command: spec.text, lines: cur.lines, final: line });
      }
      if (fin === 'CME') return cur.finish(new CmeError(this.name, spec.text, line, cur.lines));
      return cur.finish(new AtCommandError(this.name, spec.text, line, cur.lines));
    }
    if (owns) {
      if (gated) return this.noise(line, 'reply line before the echo');
      if (cur.lines.length >= MAX_REPLY_LINES) return this.noise(line, 'reply too long');
      cur.lines.push(line);
      return;
    }
    if (isUrcLine(line) && !isRegReadShape(line)) return this.urc(line);
    this.noise(line, `not a reply to ${spec.text}`);
  }

  private owns(spec: CommandSpec, line: string): boolean {
    if (spec.prefix && line.startsWith(spec.prefix)) {
      // Registration: only the read shape is the reply; the URC shape stays a URC.
      return isRegLine(line) && spec.form === 'read' ? isRegReadShape(line) : true;
    }
    if (!spec.unprefixed) return false;
    if (isUrcLine(line)) return false;
    // A stray echo of some other command is not a reply line.
    if (/^AT/i.test(line) && !spec.text.toUpperCase().startsWith('ATI')) return false;
    return true;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closedBy) {
        if (!this.synced) {
          try {
            await this.barrier();
          } catch (err) {
            const head = this.queue.shift();
            if (!head) break;
            if (this.closedBy) head.reject(this.closedBy);
            else if (head.timeoutMs < 0) head.reject(err as Error);
            else if (err instanceof AtTimeoutError) head.reject(new AtTimeoutError(this.name, head.spec.text, head.timeoutMs, false));
            else head.reject(new AtProtocolError(this.name, head.spec.text, `not sent: could not resynchronise (${(err as Error).message})`, false));
            continue;
          }
        }
        const job = this.queue.shift();
        if (!job) break;
        if (job.timeoutMs < 0) {
          // A resync() job: the barrier above was all it wanted.
          job.resolve({ command: 'AT', lines: [], final: 'OK' });
          continue;
        }
        try {
          const reply = await this.execute(job.spec, job.timeoutMs);
          this.afterCommand(job.spec);
          job.resolve(reply);
        } catch (err) {
          job.reject(err as Error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Commands that reset the modem's settings (ATZ, AT&F) or the modem (AT+CFUN=x,1). */
  private afterCommand(spec: CommandSpec): void {
    if (spec.name === 'Z' || spec.name === '&F' || (spec.name === '+CFUN' && /=\s*\d+\s*,\s*1\s*$/.test(spec.text))) this.invalidate();
  }

  private async drain(): Promise<void> {
    const start = this.timers.now();
    for (;;) {
      const now = this.timers.now();
      const idle = now - this.lastRxAt;
      if (idle >= this.quietMs || now - start >= this.maxDrainMs || this.closedBy) return;
      await new Promise<void>((r) => this.timers.setTimeout(r, Math.max(1, this.quietMs - idle)));
    }
  }

  private async barrier(): Promise<void> {
    await this.drain();
    if (this.closedBy) throw this.closedBy;
    if (!this.echoOn) {
      // Its OK need not be its own (nothing is synchronised yet): the barrier below, which
      // waits for its own echo, is what proves the echo on and the line in step.
      await this.execute(commandSpec('ATE1'), DEFAULT_MAX_MS + this.slackMs, false);
      this.echoOn = true;
    }
    // Opening never hangs on one command: a base the modem refuses (some firmware answers ERROR
    // to AT+CMEE?) is remembered and the next one is tried at once.
    let last: Error | null = null;
    for (const base of this.barrierOrder()) {
      const spec = commandSpec(barrierText(base, this.barrierCount++));
      try {
        await this.execute(spec, DEFAULT_MAX_MS + this.slackMs);
      } catch (err) {
        // A modem that does not echo never answers a gated barrier: try ATE1 again next time.
        if (err instanceof AtTimeoutError) this.echoOn = false;
        // An ERROR could be a late final code: the next barrier uses another prefix.
        this.outstanding.add(spec.prefix!);
        if (!(err instanceof AtCommandError || err instanceof AtProtocolError)) throw err;
        if (err instanceof AtCommandError) this.refusedBarriers.add(base);
        last = err;
        continue;
      }
      this.synced = true;
      this.outstanding.clear();
      return;
    }
    throw last ?? new AtProtocolError(this.name, 'AT', 'no barrier command to send');
  }

  /**
   * Barrier bases to try, best first: neither refused by this modem nor sharing a prefix with a
   * command that timed out since the last barrier; then the refused ones; never an outstanding
   * prefix unless every base has one (then the first, as the last resort).
   */
  private barrierOrder(): string[] {
    const free = BARRIER_BASES.filter((_b, i) => !this.outstanding.has(BARRIER_PREFIXES[i]));
    const order = [...free.filter((b) => !this.refusedBarriers.has(b)), ...free.filter((b) => this.refusedBarriers.has(b))];
    return order.length > 0 ? order : [BARRIER_BASES[0]];
  }

  private execute(spec: CommandSpec, timeoutMs: number, requireEcho = true): Promise<AtReply> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    return new Promise<AtReply>((resolve, reject) => {
      let done = false;
      const flight: InFlight = {
        spec,
        requireEcho,
        echoSeen: false,
        lines: [],
        finish: (err, reply) => {
          if (done) return;
          done = true;
          this.timers.clearTimeout(timer);
          if (this.current === flight) this.current = null;
          if (err) {
            if (err instanceof AtTimeoutError) {
              this.consecutiveTimeouts++;
              this.synced = false;
              this.outstanding.add(spec.prefix ?? spec.name);
            } else this.consecutiveTimeouts = 0;
            reject(err);
          } else {
            this.consecutiveTimeouts = 0;
            resolve(reply!);
          }
        },
      };
      const timer = this.timers.setTimeout(() => flight.finish(new AtTimeoutError(this.name, spec.text, timeoutMs)), timeoutMs);
      this.current = flight;
      try {
        this.opts.write(`${spec.text}\r`);
      } catch (err) {
        flight.finish(new UeDisconnectedError(this.name, `write failed: ${(err as Error).message}`));
      }
    });
  }
}
