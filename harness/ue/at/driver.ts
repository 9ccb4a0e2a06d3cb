// The AT modem UE driver: a Quectel module (or the twin modem, which speaks the same AT
// subset on a real pseudo-terminal) behind the serialport package.
//
// Resilience (issue item 2):
// - Unplugged: the port closes under us (serialport 'close' with a DisconnectedError). Commands
//   in flight and queued fail with UeDisconnectedError, readings stop, an 'unplugged' event is
//   emitted, and the driver watches the configured path (use the stable /dev/serial/by-id
//   link) every reopenPollMs; when the device is back it reopens, resynchronises, configures
//   the modem again and emits 'replugged'; readings resume by themselves.
// - Not answering: `unansweredLimit` consecutive commands without a final result code (the
//   channel's resync barriers included) make the driver reset the modem once (AT+CFUN=1,1,
//   written straight to the port) and probe it for resetWaitMs. It answers: 'recovered'. It
//   does not, or it stops answering again after its one reset: 'failed' (with `required`), and
//   every further call fails with UeFailedError. The trial decides what a failure means.
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { ComponentError, ConfigError, messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import { nowNs } from '../../measure/types.js';
import type { BandLock, DataSession, PowerState, Registration, ServingCell, Ue, UeEvent, UeHealth, UeIdentity, UeReading } from '../types.js';
import { AtChannel, type AtReply, type SendOptions } from './channel.js';
import { isRegLine } from './commands.js';
import { AtParseError, AtTimeoutError, CmeError, UeDisconnectedError, UeFailedError, AtCommandError, AtProtocolError } from './errors.js';
import { shapeOf } from './fields.js';
import { lineWith, parseAti, parseBandLock, parseCfun, parseCgact, parseCgpaddr, parseCops, parseImei, parseImsi, parseRegistration, type Cops } from './parse.js';
import { lteSinrScaleForModel, parseServingCell, type LteSinrScale } from './servingcell.js';

const log = childLog('ue');

export interface AtModemOptions {
  /** The UE id as the rig file names it. */
  id: string;
  operator?: string;
  /** The AT port: a stable /dev/serial/by-id path for real modems, the twin's link path on the twin. */
  port: string;
  baudRate?: number;
  /** A required UE failing fails the trial (the runner's decision; the driver reports it). */
  required?: boolean;
  /** Module model, e.g. RM520N (informational; the modem's ATI is authoritative). */
  model?: string;
  /** Default APN for startDataSession. */
  apn?: string;
  /** LTE SINR scale of AT+QENG (see servingcell.ts); default by module model, then by line format. */
  lteSinr?: LteSinrScale;
  /** Added to each vendor maximum response time (default 700 ms). */
  slackMs?: number;
  /** Consecutive unanswered commands before the modem counts as not answering (default 3). */
  unansweredLimit?: number;
  /** How long to wait for an answer after AT+CFUN=1,1 (default 30 s; a real module re-enumerates). */
  resetWaitMs?: number;
  /** How often to look for an unplugged device (default 250 ms). */
  reopenPollMs?: number;
}

type Listener = (e: UeEvent) => void;

export interface UeStatus {
  id: string;
  port: string;
  health: UeHealth;
  identity: UeIdentity | null;
  power: PowerState | null;
  registration: Registration | null;
  serving: ServingCell | null;
  dataSession: DataSession | null;
  bandLock: BandLock | null;
  /** What could not be read, by field. */
  errors: Record<string, string>;
}

export class AtModemUe implements Ue {
  readonly id: string;
  readonly operator: string;
  readonly required: boolean;
  private readonly opts: AtModemOptions;
  private port: SerialPort | null = null;
  private channel: AtChannel | null = null;
  private _health: UeHealth = 'closed';
  private listeners = new Set<Listener>();
  private closing = false;
  private reopenTimer: NodeJS.Timeout | null = null;
  private reopening = false;
  private resetsLeft = 1;
  private readingTimer: NodeJS.Timeout | null = null;
  private readingPeriodMs = 0;
  private readingActive = false;
  private configureOnOpen = true;
  /** The model ATI reported (authoritative over opts.model). */
  private identifiedModel: string | null = null;
  /** Shapes of unusable reply lines already logged at warn level (each is logged once). */
  private unparsedShapes = new Set<string>();
  /** Data sessions the trial started, restored after the modem comes back (replug, reset). */
  private sessions = new Map<number, { apn?: string; pdpType?: 'IP' | 'IPV6' | 'IPV4V6' }>();

  constructor(opts: AtModemOptions) {
    if (!opts.id) throw new ConfigError('AT modem UE needs an id', 'CONFIG_INVALID');
    if (!opts.port) throw new ConfigError(`${opts.id}: AT modem UE needs a port`, 'CONFIG_INVALID');
    this.opts = opts;
    this.id = opts.id;
    this.operator = opts.operator ?? '';
    this.required = opts.required ?? false;
  }

  get health(): UeHealth {
    return this._health;
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: UeEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        log.warn({ ue: this.id, err: messageOf(err) }, 'UE event listener threw');
      }
    }
  }

  /**
   * Open the port and bring the modem to a known state: echo on and resynchronised (the
   * channel does that, pairing relies on it), then (configure, the default) verbose CME
   * errors, registration URCs with location, packet-domain event URCs. `configure: false`
   * leaves those as they are (for `ue at` and `ue status`).
   */
  async open(options: { configure?: boolean } = {}): Promise<void> {
    if (this._health === 'failed') throw new UeFailedError(this.id, 'failed earlier');
    this.closing = false;
    this.configureOnOpen = options.configure ?? true;
    this._health = 'opening';
    try {
      await this.openPort();
    } catch (err) {
      this._health = 'closed';
      throw err;
    }
    this._health = 'ready';
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopReadings();
    if (this.reopenTimer) clearInterval(this.reopenTimer);
    this.reopenTimer = null;
    this.channel?.close(new UeDisconnectedError(this.id, 'closed'));
    this.channel = null;
    await this.closePort();
    if (this._health !== 'failed') this._health = 'closed';
  }

  private async openPort(): Promise<void> {
    const path = this.opts.port;
    if (!existsSync(path)) throw new ComponentError(this.id, `modem port ${path} does not exist`, 'UE_UNREACHABLE');
    const port = new SerialPort({ path, baudRate: this.opts.baudRate ?? 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(new ComponentError(this.id, `cannot open ${path}: ${err.message}`, 'UE_UNREACHABLE', { cause: err })) : resolve())),
    );
    const channel = new AtChannel({
      name: this.id,
      write: (d) => {
        port.write(d, 'latin1');
      },
      onUrc: (line) => this.onUrc(line),
      onNoise: (line, why) => log.debug({ ue: this.id, line: line.slice(0, 120), why }, 'AT line attributed to nothing'),
      slackMs: this.opts.slackMs,
    });
    port.on('data', (b: Buffer) => channel.feed(b));
    port.on('error', (err) => log.debug({ ue: this.id, err: err.message }, 'serial port error'));
    port.on('close', (err?: Error | null) => this.onPortClosed(port, err ?? null));
    this.port = port;
    this.watchPresence(port);
    this.channel = channel;
    try {
      await channel.resync();
      if (this.configureOnOpen) await this.configure(channel);
    } catch (err) {
      this.channel = null;
      channel.close(new UeDisconnectedError(this.id, 'open failed'));
      this.port = null;
      await closeQuietly(port);
      throw err instanceof ComponentError ? err : new ComponentError(this.id, `modem on ${path} does not answer: ${messageOf(err)}`, 'UE_UNREACHABLE', { cause: err });
    }
  }

  /**
   * Settings the modem forgets on reboot (CMEE is not saved), sent after every open and RDY.
   * (Echo is the channel's business: it keeps it on.)
   */
  private async configure(channel: AtChannel): Promise<void> {
    // Verbose errors, else numeric ones; a module refusing both still opens (its refusals then
    // read plain ERROR). Opening never hangs on one command.
    const refused = (err: unknown) => {
      if (!(err instanceof AtCommandError)) throw err;
      return false;
    };
    if (!(await channel.send('AT+CMEE=2').then(() => true, refused)) && !(await channel.send('AT+CMEE=1').then(() => true, refused))) {
      log.warn({ ue: this.id }, 'modem refuses AT+CMEE=2 and AT+CMEE=1: its errors will carry no cause');
    }
    for (const c of ['AT+CEREG=2', 'AT+C5GREG=2', 'AT+CGEREP=1']) {
      // Not every module has every one (EG25 has no C5GREG): a refusal is fine, a timeout is not.
      await channel.send(c).catch((err) => {
        if (!(err instanceof AtCommandError)) throw err;
      });
    }
  }

  /**
   * Unplugging removes the device node (and its by-id link). A read error tells serialport so
   * at once for a USB tty; a pty whose other side went away only reads end-of-file, which
   * serialport retries without end, and is noticed at the next write. So also look for the
   * path itself, twice a second while the port is open.
   */
  private watchPresence(port: SerialPort): void {
    const timer = setInterval(() => {
      if (this.port !== port) return clearInterval(timer);
      if (existsSync(this.opts.port)) return;
      clearInterval(timer);
      this.onPortClosed(port, new Error(`${this.opts.port} is gone`));
      void closeQuietly(port);
    }, 500);
    timer.unref();
  }

  private async closePort(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (p) await closeQuietly(p);
  }

  private onPortClosed(port: SerialPort, err: Error | null): void {
    if (port !== this.port) return; // an old port
    this.port = null;
    const detail = err ? err.message : 'port closed';
    this.channel?.close(new UeDisconnectedError(this.id, `port ${this.opts.port} closed: ${detail}`));
    this.channel = null;
    // While opening, open() itself fails and reports it.
    if (this.closing || this._health === 'failed' || this._health === 'opening') return;
    log.warn({ ue: this.id, port: this.opts.port, detail }, 'modem port closed; waiting for it to come back');
    if (this._health !== 'resetting') {
      this._health = 'unplugged';
      this.emit({ kind: 'unplugged', detail, timestampNs: nowNs() });
    }
    this.startReopen();
  }

  private startReopen(): void {
    if (this.reopenTimer) return;
    this.reopenTimer = setInterval(() => void this.tryReopen(), this.opts.reopenPollMs ?? 250);
  }

  private async tryReopen(): Promise<void> {
    if (this.reopening || this.port || this.closing || this._health === 'failed') return;
    if (!existsSync(this.opts.port)) return;
    this.reopening = true;
    try {
      await this.openPort();
      if (this.closing) {
        // close() was called while this reopen was under way.
        this.channel?.close(new UeDisconnectedError(this.id, 'closed'));
        this.channel = null;
        await this.closePort();
        return;
      }
      if (this.reopenTimer) clearInterval(this.reopenTimer);
      this.reopenTimer = null;
      if (this._health === 'unplugged') {
        this._health = 'ready';
        log.info({ ue: this.id, port: this.opts.port }, 'modem back');
        this.emit({ kind: 'replugged', timestampNs: nowNs() });
        this.restoreSessions();
      }
    } catch (err) {
      log.debug({ ue: this.id, err: messageOf(err) }, 'reopen attempt failed');
    } finally {
      this.reopening = false;
    }
  }

  private onUrc(line: string): void {
    const ts = nowNs();
    if (isRegLine(line)) {
      try {
        this.emit({ kind: 'registration', registration: parseRegistration(line), timestampNs: ts });
        return;
      } catch {
        // fall through: report it verbatim
      }
    }
    if (line === 'RDY' && this.channel) {
      // The modem rebooted: echo and CMEE are back to their defaults.
      this.channel.invalidate();
      if (this._health === 'ready' && this.configureOnOpen) {
        const ch = this.channel;
        void this.configure(ch).catch((err) => log.debug({ ue: this.id, err: messageOf(err) }, 'reconfigure after RDY failed'));
      }
    }
    this.emit({ kind: 'urc', line, timestampNs: ts });
  }

  private usable(): AtChannel {
    switch (this._health) {
      case 'failed':
        throw new UeFailedError(this.id, 'the modem was given up (stopped answering, reset did not help)');
      case 'closed':
        throw new UeDisconnectedError(this.id, 'not open');
      case 'unplugged':
        throw new UeDisconnectedError(this.id, `port ${this.opts.port} is gone (unplugged)`);
      case 'resetting':
        throw new UeDisconnectedError(this.id, 'the modem is being reset');
      default:
        if (!this.channel) throw new UeDisconnectedError(this.id, 'no port');
        return this.channel;
    }
  }

  /** Send one command; resolves with its reply (OK), rejects with a typed error otherwise. */
  async send(command: string, options: SendOptions = {}): Promise<AtReply> {
    const ch = this.usable();
    let reply: AtReply;
    try {
      reply = await ch.send(command, options);
    } catch (err) {
      if (err instanceof AtTimeoutError) this.noteUnanswered(ch);
      throw err;
    }
    // A reset asked for (AT+CFUN=<fun>,1): the module goes deaf while it reboots; wait for it
    // instead of counting its silence as a hang.
    if (/^AT\+CFUN=\s*\d+\s*,\s*1\s*$/i.test(command.trim()) && this._health === 'ready' && ch === this.channel) void this.afterRequestedReset();
    return reply;
  }

  private async afterRequestedReset(): Promise<void> {
    this._health = 'resetting';
    log.info({ ue: this.id }, 'modem reset requested; waiting for it to answer again');
    if (await this.waitUntilAnswering(this.opts.resetWaitMs ?? 30_000)) {
      this._health = 'ready';
      this.restoreSessions();
    } else if (!this.closing) await this.fail(new UeFailedError(this.id, `no answer ${this.opts.resetWaitMs ?? 30_000} ms after the requested reset`));
  }

  /** After a reset: probe (resynchronise and configure) until the modem answers, or time runs out. */
  private async waitUntilAnswering(waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    // Give the module a moment to act on the reset before probing.
    await sleep(Math.min(1000, waitMs));
    while (Date.now() < deadline && !this.closing && this._health === 'resetting') {
      const c = this.channel;
      if (c && !c.isClosed) {
        try {
          await c.resync();
          if (this.configureOnOpen) await this.configure(c);
          return true;
        } catch {
          /* not yet */
        }
      } else await sleep(200);
    }
    return false;
  }

  private noteUnanswered(ch: AtChannel): void {
    if (this._health !== 'ready' || ch !== this.channel) return;
    if (ch.consecutiveTimeouts < (this.opts.unansweredLimit ?? 3)) return;
    void this.recover(ch);
  }

  private async recover(ch: AtChannel): Promise<void> {
    const detail = `no answer to ${ch.consecutiveTimeouts} commands in a row`;
    if (this.resetsLeft <= 0) return this.fail(new UeFailedError(this.id, `${detail}, and its one reset was already used`));
    this.resetsLeft--;
    this._health = 'resetting';
    log.warn({ ue: this.id, detail }, 'modem not answering: resetting it (AT+CFUN=1,1)');
    this.emit({ kind: 'reset', detail, timestampNs: nowNs() });
    // Straight to the port: the channel would first try to resynchronise, which is what fails.
    try {
      this.port?.write('AT+CFUN=1,1\r', 'latin1');
    } catch {
      /* the port may be gone already */
    }
    ch.invalidate();
    if (await this.waitUntilAnswering(this.opts.resetWaitMs ?? 30_000)) {
      this._health = 'ready';
      log.info({ ue: this.id }, 'modem answers again after reset');
      this.emit({ kind: 'recovered', timestampNs: nowNs() });
      this.restoreSessions();
      return;
    }
    if (!this.closing) await this.fail(new UeFailedError(this.id, `${detail}; still no answer ${this.opts.resetWaitMs ?? 30_000} ms after AT+CFUN=1,1`));
  }

  /** In the background: once registered again, reactivate the data sessions the trial had. */
  private restoreSessions(): void {
    if (this.sessions.size === 0) return;
    const wanted = [...this.sessions];
    void (async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && this._health === 'ready') {
        const reg = await this.registration().catch(() => null);
        if (reg?.registered) break;
        await sleep(500);
      }
      for (const [cid, o] of wanted) {
        if (this._health !== 'ready' || !this.sessions.has(cid)) return;
        try {
          const s = await this.startDataSession({ cid, ...o });
          log.info({ ue: this.id, cid, address: s.address }, 'data session restored');
        } catch (err) {
          log.warn({ ue: this.id, cid, err: messageOf(err) }, 'data session not restored');
        }
      }
    })();
  }

  private async fail(error: UeFailedError): Promise<void> {
    if (this._health === 'failed') return;
    this._health = 'failed';
    log.error({ ue: this.id, required: this.required, err: error.message }, 'modem failed');
    this.stopReadings();
    if (this.reopenTimer) clearInterval(this.reopenTimer);
    this.reopenTimer = null;
    this.channel?.close(error);
    this.channel = null;
    await this.closePort();
    this.emit({ kind: 'failed', error, required: this.required, timestampNs: nowNs() });
  }

  private parse<T>(command: string, f: () => T, alreadyReported: () => boolean = () => false): T {
    try {
      return f();
    } catch (err) {
      if (err instanceof AtParseError) {
        if (!alreadyReported()) this.reportUnparsed(command, err.line, err.detail);
        throw new AtProtocolError(this.id, command, err.message);
      }
      throw err;
    }
  }

  /**
   * A reply line the driver cannot use: a warning with the raw line once per shape (a modem
   * polled every second must not flood the log), and an 'unparsed' event every time (the
   * trial writes it as a ue_event point, so the count is kept).
   */
  private reportUnparsed(command: string, line: string, detail: string): void {
    const shape = `${command} ${shapeOf(line)}`;
    if (!this.unparsedShapes.has(shape)) {
      this.unparsedShapes.add(shape);
      log.warn({ ue: this.id, command, line: line.slice(0, 300), detail, shape }, 'modem reply the driver cannot use (logged once per shape)');
    }
    this.emit({ kind: 'unparsed', command, line: line.slice(0, 300), detail, timestampNs: nowNs() });
  }

  /** LTE SINR scale: the option, else by module (RM5xx prints the RM5x0N scale on either line length). */
  private lteSinrScale(): LteSinrScale | undefined {
    if (this.opts.lteSinr) return this.opts.lteSinr;
    return lteSinrScaleForModel(this.identifiedModel ?? this.opts.model);
  }

  // ---- identity, power, registration -------------------------------------------------

  async identity(): Promise<UeIdentity> {
    const ati = await this.send('ATI');
    const cgsn = await this.send('AT+CGSN');
    let imsi: string | null = null;
    try {
      const cimi = await this.send('AT+CIMI');
      imsi = this.parse('AT+CIMI', () => parseImsi(cimi.lines));
    } catch (err) {
      if (!(err instanceof CmeError || err instanceof AtCommandError)) throw err;
    }
    const ids = this.parse('ATI', () => parseAti(ati.lines));
    this.identifiedModel = ids.model;
    return {
      ...ids,
      imei: this.parse('AT+CGSN', () => parseImei(cgsn.lines)),
      imsi,
    };
  }

  async power(): Promise<PowerState> {
    const r = await this.send('AT+CFUN?');
    return this.parse('AT+CFUN?', () => parseCfun(lineWith(r.lines, '+CFUN:')));
  }

  async setPower(on: boolean): Promise<void> {
    await this.send(on ? 'AT+CFUN=1' : 'AT+CFUN=4');
  }

  async registration(): Promise<Registration> {
    const read = async (cmd: string, prefix: string): Promise<Registration | null> => {
      try {
        const r = await this.send(cmd);
        return this.parse(cmd, () => parseRegistration(lineWith(r.lines, prefix)));
      } catch (err) {
        if (err instanceof AtCommandError) return null; // not supported by this module
        throw err;
      }
    };
    const nr = await read('AT+C5GREG?', '+C5GREG:');
    if (nr?.registered) return nr;
    const lte = await read('AT+CEREG?', '+CEREG:');
    if (lte?.registered) return lte;
    const any = nr ?? lte;
    if (!any) throw new AtProtocolError(this.id, 'AT+CEREG?', 'neither AT+C5GREG? nor AT+CEREG? answered');
    return any;
  }

  async attach(timeoutMs = 60_000): Promise<Registration> {
    if ((await this.power()) !== 1) await this.setPower(true);
    await this.send('AT+COPS=0');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reg = await this.registration();
      if (reg.registered) return reg;
      if (Date.now() >= deadline) throw new ComponentError(this.id, `not registered after ${timeoutMs} ms (stat ${reg.stat})`, 'UE_ATTACH_TIMEOUT');
      await sleep(300);
    }
  }

  async detach(): Promise<void> {
    await this.send('AT+COPS=2');
  }

  async selectOperator(plmn: string): Promise<void> {
    if (!/^\d{5,6}$/.test(plmn)) throw new ConfigError(`UE ${this.id}: PLMN ${JSON.stringify(plmn)} is not MCC + MNC (5 or 6 digits)`, 'UE_BAD_ARGUMENT');
    // Manual selection, numeric format; the COPS write may take the vendor's 180 s (commands.ts).
    await this.send(`AT+COPS=1,2,"${plmn}"`);
  }

  async operatorSelection(): Promise<Cops> {
    const r = await this.send('AT+COPS?');
    return this.parse('AT+COPS?', () => parseCops(lineWith(r.lines, '+COPS:')));
  }

  // ---- serving cell and readings ------------------------------------------------------

  async servingCell(): Promise<ServingCell> {
    const cmd = 'AT+QENG="servingcell"';
    const r = await this.send(cmd);
    let reported = false;
    const onUnparsed = (line: string, detail: string) => {
      reported = true;
      this.reportUnparsed(cmd, line, detail);
    };
    return this.parse(cmd, () => parseServingCell(r.lines, { lteSinr: this.lteSinrScale(), onUnparsed }), () => reported);
  }

  startReadings(periodMs: number): void {
    if (!(periodMs > 0)) throw new ConfigError(`${this.id}: reading period must be > 0 ms`, 'CONFIG_INVALID');
    this.readingPeriodMs = periodMs;
    if (this.readingActive) return;
    this.readingActive = true;
    const tick = async () => {
      if (!this.readingActive) return;
      const started = Date.now();
      if (this._health === 'ready') {
        try {
          const serving = await this.servingCell();
          const reading: UeReading = { ueId: this.id, timestampNs: nowNs(), serving };
          if (this.readingActive) this.emit({ kind: 'reading', reading });
        } catch (err) {
          log.debug({ ue: this.id, err: messageOf(err) }, 'serving-cell poll failed');
        }
      }
      if (!this.readingActive) return;
      this.readingTimer = setTimeout(() => void tick(), Math.max(0, this.readingPeriodMs - (Date.now() - started)));
    };
    void tick();
  }

  stopReadings(): void {
    this.readingActive = false;
    if (this.readingTimer) clearTimeout(this.readingTimer);
    this.readingTimer = null;
  }

  // ---- band lock -----------------------------------------------------------------------

  /**
   * The band lists and mode preference, one AT+QNWPREFCFG read per key. A key the modem refuses
   * (ERROR, +CME ERROR: EG25 has no QNWPREFCFG) is left undefined; any other failure of one key
   * (a reply the driver cannot use, no answer) is logged, kept in `problems` and does not stop
   * the other keys. Only a modem that is gone (unplugged, failed) ends the read.
   */
  async bandLock(): Promise<BandLock> {
    const out: BandLock = {};
    const problems: Record<string, string> = {};
    for (const key of ['lte_band', 'nsa_nr5g_band', 'nr5g_band', 'mode_pref']) {
      const cmd = `AT+QNWPREFCFG="${key}"`;
      try {
        const r = await this.send(cmd);
        const lock = this.parse(cmd, () => parseBandLock(r.lines.filter((l) => l.includes(`"${key}"`))));
        if (Object.keys(lock).length === 0) throw new AtProtocolError(this.id, cmd, `no +QNWPREFCFG: "${key}" line in ${JSON.stringify(r.lines)}`);
        Object.assign(out, lock);
      } catch (err) {
        if (err instanceof UeDisconnectedError || err instanceof UeFailedError) throw err;
        if (err instanceof AtCommandError) continue;
        problems[key] = messageOf(err);
        log.warn({ ue: this.id, command: cmd, err: messageOf(err) }, 'band lock key not read; reading the others');
      }
    }
    if (Object.keys(problems).length > 0) out.problems = problems;
    return out;
  }

  async setBandLock(lock: BandLock): Promise<void> {
    const list = (name: string, bands: number[]) => {
      if (!bands.every((b) => Number.isInteger(b) && b > 0)) throw new ConfigError(`${this.id}: ${name} must be positive band numbers, got ${JSON.stringify(bands)}`, 'CONFIG_INVALID');
      return bands.join(':');
    };
    if (lock.lte) await this.send(`AT+QNWPREFCFG="lte_band",${list('lte', lock.lte)}`);
    if (lock.nsaNr) await this.send(`AT+QNWPREFCFG="nsa_nr5g_band",${list('nsaNr', lock.nsaNr)}`);
    if (lock.saNr) await this.send(`AT+QNWPREFCFG="nr5g_band",${list('saNr', lock.saNr)}`);
    if (lock.modePref) {
      if (!/^[A-Z0-9:]+$/.test(lock.modePref)) throw new ConfigError(`${this.id}: modePref ${JSON.stringify(lock.modePref)} is not AUTO, LTE, NR5G or a colon list`, 'CONFIG_INVALID');
      await this.send(`AT+QNWPREFCFG="mode_pref",${lock.modePref}`);
    }
  }

  // ---- data session --------------------------------------------------------------------

  async startDataSession(o: { cid?: number; apn?: string; pdpType?: 'IP' | 'IPV6' | 'IPV4V6' } = {}): Promise<DataSession> {
    const cid = o.cid ?? 1;
    const apn = o.apn ?? this.opts.apn ?? '';
    if (!/^[A-Za-z0-9.\-_]*$/.test(apn)) throw new ConfigError(`${this.id}: APN ${JSON.stringify(apn)} has characters an APN cannot have`, 'CONFIG_INVALID');
    const active = parseCgact((await this.send('AT+CGACT?')).lines).get(cid) ?? false;
    if (!active) {
      await this.send(`AT+CGDCONT=${cid},"${o.pdpType ?? 'IP'}","${apn}"`);
      await this.send(`AT+CGACT=1,${cid}`);
    }
    this.sessions.set(cid, { apn, pdpType: o.pdpType });
    return this.dataSession(cid);
  }

  async stopDataSession(cid = 1): Promise<void> {
    this.sessions.delete(cid);
    await this.send(`AT+CGACT=0,${cid}`);
  }

  async dataSession(cid = 1): Promise<DataSession> {
    const active = parseCgact((await this.send('AT+CGACT?')).lines).get(cid) ?? false;
    const r = await this.send(`AT+CGPADDR=${cid}`);
    const s = this.parse(`AT+CGPADDR=${cid}`, () => parseCgpaddr(r.lines, cid));
    return { cid, active, address: active ? s.address : null };
  }

  // ---- status (ranlab ue <rig> <ue> status) ----------------------------------------------

  async status(): Promise<UeStatus> {
    const errors: Record<string, string> = {};
    const get = async <T>(name: string, f: () => Promise<T>): Promise<T | null> => {
      try {
        return await f();
      } catch (err) {
        errors[name] = messageOf(err);
        return null;
      }
    };
    const identity = await get('identity', () => this.identity());
    const power = await get('power', () => this.power());
    const registration = await get('registration', () => this.registration());
    const serving = await get('serving', () => this.servingCell());
    const dataSession = await get('dataSession', () => this.dataSession());
    const bandLock = await get('bandLock', () => this.bandLock());
    return { id: this.id, port: this.opts.port, health: this._health, identity, power, registration, serving, dataSession, bandLock, errors };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function closeQuietly(p: SerialPort): Promise<void> {
  if (!p.isOpen) return;
  await new Promise<void>((resolve) => p.close(() => resolve()));
}
