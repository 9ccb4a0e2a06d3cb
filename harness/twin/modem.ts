// The twin modem: one process per twin UE that opens a real pseudo-terminal (native/pty.ts)
// and speaks the Quectel AT subset the UE driver uses, so the trial drives it through the very
// driver a real RM520N gets. Its radio readings come from the air folder: the twin base station
// publishes an AirUeReading for this UE (twin/air.ts), so they move when the ledger's grants move.
//
// State machine: power (CFUN 0/1/4, CFUN=1,1 reboot), registration (COPS mode, band lock and
// RAT preference, the serving cell's inService), attach (registration stat and its URCs), data
// session (CGDCONT/CGACT/CGPADDR with +CGEV URCs), serving cell (QENG lines formatted exactly as
// the manual prints them: NR5G-SA for an NR cell, LTE for an LTE cell, SEARCH without service).
//
// Simulated unplug: SIGUSR1 closes the pty and removes the link (the port vanishes, the driver
// sees a disconnect); SIGUSR2 opens a new pty, re-points the link and boots the modem again
// (the device re-appears; the driver finds it through the stable link path).
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError, exitCodeOf, messageOf } from '../errors.js';
import { childLog } from '../log.js';
import { cliEntry } from '../paths.js';
import { exitWithParent, type Child, type Supervisor } from '../proc/index.js';
import { openPty, type Pty } from '../../native/pty.js';
import { Air, type AirUeReading } from './air.js';
import { LTE_PRB_TABLE } from './radio.js';
import { CME_TEXT } from '../ue/at/errors.js';
import { splitParams } from '../ue/at/commands.js';
import { LTE_BW_MHZ, NR_BW_MHZ, SCS_KHZ, lteSinrFromDb } from '../ue/at/parse.js';

const log = childLog('twin-modem');

const DEFAULT_LTE_BANDS = '1:2:3:4:5:7:8:12:13:14:17:18:19:20:25:26:28:29:30:32:34:38:39:40:41:42:43:46:48:66:71';
const DEFAULT_NR_BANDS = '1:2:3:5:7:8:12:13:14:18:20:25:26:28:29:30:38:40:41:46:48:66:70:71:75:76:77:78:79';

export const twinModemConfigSchema = z.strictObject({
  ueId: z.string().min(1),
  airDir: z.string().min(1),
  /** Module model printed by ATI / AT+CGMM. */
  model: z.string().min(1).default('RM520N'),
  manufacturer: z.string().min(1).default('Quectel'),
  revision: z.string().min(1).optional(),
  /** Default: derived from ueId (a stable, Luhn-valid IMEI). */
  imei: z.string().regex(/^\d{15}$/, '15 digits').optional(),
  /** Default: mcc + mnc + a number derived from ueId. */
  imsi: z.string().regex(/^\d{6,15}$/, '6 to 15 digits').optional(),
  /** A symlink to create pointing at the pty slave, like a /dev/serial/by-id path. */
  linkPath: z.string().min(1).optional(),
  mcc: z.string().regex(/^\d{3}$/).default('001'),
  mnc: z.string().regex(/^\d{2,3}$/).default('01'),
  /** Tracking area code, hex. */
  tac: z.string().regex(/^[0-9A-Fa-f]{1,6}$/).default('000001'),
  /** The address the network gives a data session; default derived from ueId. */
  pdpAddress: z.string().optional(),
  /** Time from cell available to registered, ms. */
  registerMs: z.number().int().min(0).default(200),
  /** Time a CFUN=1,1 reboot takes, ms. */
  rebootMs: z.number().int().min(0).default(1500),
  /** How often the air reading is checked for registration changes, ms. */
  pollMs: z.number().int().min(10).default(200),
  /**
   * An air reading older than this is no service (its base station died without turning its
   * cells off); 0 (default) = never stale. The twin gNB publishes readings on every KPM period
   * and control, but not while nobody subscribes, so only set this where one always does.
   */
  staleAfterMs: z.number().int().min(0).default(0),
});
export type TwinModemConfig = z.input<typeof twinModemConfigSchema>;
type Cfg = z.output<typeof twinModemConfigSchema>;

const LTE_TDD = new Set([33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 51, 52, 53]);
const NR_TDD = new Set([34, 38, 39, 40, 41, 46, 47, 48, 50, 51, 53, 77, 78, 79, 90, 96, 101, 102, 104]);

function hash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}
/** The Luhn check digit of a digit string (IMEI, TS 23.003). */
function luhn(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
function nearestIndex(table: readonly number[], v: number): number {
  let best = 0;
  for (let i = 1; i < table.length; i++) if (Math.abs(table[i] - v) < Math.abs(table[best] - v)) best = i;
  return best;
}
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
function bandNumber(band: string): number {
  const m = /(\d+)$/.exec(band);
  return m ? Number(m[1]) : 0;
}

type Domain = 'CREG' | 'CGREG' | 'CEREG' | 'C5GREG';

/** The air file is another process's output: use it only if it has the documented shape. */
function validReading(r: AirUeReading): boolean {
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  return (
    (r.rat === 'NR' || r.rat === 'LTE') &&
    typeof r.band === 'string' &&
    typeof r.cellId === 'string' &&
    typeof r.operator === 'string' &&
    typeof r.inService === 'boolean' &&
    [r.pci, r.arfcn, r.bandwidthMHz, r.scsKHz, r.rsrpDbm, r.rsrqDb, r.sinrDb, r.cqi].every(finite)
  );
}

interface Camp {
  reading: AirUeReading | null;
  /** Radio on and a usable cell (in service, allowed RAT and band). */
  camped: boolean;
}

export class TwinModem {
  private readonly cfg: Cfg;
  private readonly air: Air;
  private pty: Pty | null = null;
  private rx = '';
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  // Settings that a reboot resets.
  private echo = true;
  private cmee = 0;
  private regN: Record<Domain, number> = { CREG: 0, CGREG: 0, CEREG: 0, C5GREG: 0 };
  private cgerep = 0;
  private active = new Set<number>();
  private rebootingUntil = 0;
  private rebootPending = false;
  // Settings that survive a reboot (NVM).
  private cfun = 1;
  private copsMode = 0;
  private contexts = new Map<number, { type: string; apn: string }>([[1, { type: 'IPV4V6', apn: '' }]]);
  private prefs: Record<string, string> = {
    lte_band: DEFAULT_LTE_BANDS,
    nsa_nr5g_band: DEFAULT_NR_BANDS,
    nr5g_band: DEFAULT_NR_BANDS,
    mode_pref: 'AUTO',
    nr5g_disable_mode: '0',
  };
  // Registration as last reported.
  private stat: Record<Domain, number> = { CREG: 0, CGREG: 0, CEREG: 0, C5GREG: 0 };
  private campedSince = 0;

  constructor(config: TwinModemConfig) {
    const parsed = twinModemConfigSchema.safeParse(config);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new ConfigError(`twin modem config: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    this.cfg = parsed.data;
    this.air = new Air(this.cfg.airDir);
  }

  get slavePath(): string | null {
    return this.pty?.slavePath ?? null;
  }

  /** Open the pty (and link), start the radio loop; returns the slave path. */
  start(): string {
    this.stopped = false;
    const path = this.plugIn();
    this.timer = setInterval(() => this.tick(), this.cfg.pollMs);
    this.timer.unref?.();
    return path;
  }

  /** The port vanishes: the pty closes, the link goes; the module is powered off. */
  unplug(): void {
    const pty = this.pty;
    this.pty = null;
    this.removeLink();
    pty?.close();
    log.info({ ue: this.cfg.ueId }, 'unplugged');
  }

  /** The device re-appears: a new pty, the link re-pointed, the module boots. Returns the new slave path. */
  replug(): string {
    if (this.pty) return this.pty.slavePath;
    return this.plugIn();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unplug();
  }

  private plugIn(): string {
    const pty = openPty();
    this.pty = pty;
    this.rx = '';
    this.boot();
    pty.stream.on('data', (b: Buffer) => this.onInput(pty, b));
    pty.stream.on('error', (err) => log.debug({ ue: this.cfg.ueId, err: messageOf(err) }, 'pty error'));
    if (this.cfg.linkPath) {
      const tmp = `${this.cfg.linkPath}.${process.pid}.tmp`;
      rmSync(tmp, { force: true });
      symlinkSync(pty.slavePath, tmp);
      renameSync(tmp, this.cfg.linkPath);
    }
    // A module announces itself when it boots (flushed by a client that opens the port later).
    this.urc('RDY');
    return pty.slavePath;
  }

  private removeLink(): void {
    if (this.cfg.linkPath) rmSync(this.cfg.linkPath, { force: true });
  }

  /** Power-on defaults: echo on, CMEE 0, URCs off, no data session. */
  private boot(): void {
    this.echo = true;
    this.cmee = 0;
    this.regN = { CREG: 0, CGREG: 0, CEREG: 0, C5GREG: 0 };
    this.cgerep = 0;
    this.active.clear();
    this.stat = { CREG: 0, CGREG: 0, CEREG: 0, C5GREG: 0 };
    this.campedSince = 0;
    this.rebootingUntil = 0;
  }

  // ---- output ----------------------------------------------------------------------------

  private write(s: string): void {
    const pty = this.pty;
    if (!pty || pty.stream.destroyed) return;
    pty.stream.write(s, 'latin1');
  }
  /** Every reply line is framed <CR><LF>...<CR><LF>. */
  private line(s: string): void {
    this.write(`\r\n${s}\r\n`);
  }
  private urc(s: string): void {
    if (this.isRebooting()) return;
    this.line(s);
  }
  private cme(code: number): string {
    if (this.cmee === 0) return 'ERROR';
    if (this.cmee === 1) return `+CME ERROR: ${code}`;
    return `+CME ERROR: ${CME_TEXT[code] ?? String(code)}`;
  }
  private isRebooting(): boolean {
    return Date.now() < this.rebootingUntil;
  }

  // ---- input -----------------------------------------------------------------------------

  private onInput(pty: Pty, b: Buffer): void {
    if (pty !== this.pty) return;
    if (this.isRebooting()) return; // a rebooting module hears nothing
    const s = b.toString('latin1');
    if (this.echo) this.write(s.replace(/\n/g, ''));
    this.rx += s;
    for (;;) {
      const i = this.rx.indexOf('\r');
      if (i < 0) break;
      const cmd = this.rx.slice(0, i).replace(/\n/g, '').trim();
      this.rx = this.rx.slice(i + 1);
      if (cmd.length > 0) this.execute(cmd);
      if (this.isRebooting()) break;
    }
    if (this.rx.length > 1024) this.rx = '';
  }

  private execute(cmd: string): void {
    if (!/^AT/i.test(cmd)) return; // modems ignore lines that are not commands
    let out: string[];
    try {
      out = this.command(cmd.slice(2));
    } catch (err) {
      log.warn({ ue: this.cfg.ueId, cmd, err: messageOf(err) }, 'twin modem command failed');
      out = ['ERROR'];
    }
    for (const l of out) this.line(l);
    if (this.rebootPending) {
      this.rebootPending = false;
      this.boot();
      this.rx = '';
      this.rebootingUntil = Date.now() + this.cfg.rebootMs;
      setTimeout(() => this.rebootDone(), this.cfg.rebootMs).unref?.();
    }
  }

  /** The reply lines of one command (info lines, then the final result code). */
  private command(body: string): string[] {
    const m = /^([+][A-Za-z0-9]+|[A-Za-z&])(=\?|\?|=)?(.*)$/s.exec(body);
    if (body === '') return ['OK'];
    if (!m) return ['ERROR'];
    const name = m[1].toUpperCase();
    const form = m[2] === '=?' ? 'test' : m[2] === '?' ? 'read' : m[2] === '=' ? 'write' : 'exec';
    const args = form === 'write' ? splitParams(m[3]).map((a) => a.trim()) : [];
    const tail = form === 'exec' ? m[3].trim() : '';
    const num = (i: number) => (args[i] !== undefined && /^\d+$/.test(args[i]) ? Number(args[i]) : NaN);
    const unq = (s: string | undefined) => (s ?? '').replace(/^"(.*)"$/s, '$1');
    const ok = (...lines: string[]) => [...lines, 'OK'];
    const cfg = this.cfg;
    switch (name) {
      case 'E':
        if (tail === '' || tail === '0') this.echo = false;
        else if (tail === '1') this.echo = true;
        else return ['ERROR'];
        return ['OK'];
      case 'I':
        if (tail !== '' && tail !== '0') return ['ERROR'];
        return ok(cfg.manufacturer, cfg.model, `Revision: ${this.revision()}`);
      case 'Z':
        this.echo = true;
        this.cmee = 0;
        return ['OK'];
      case '+CGMI':
      case '+GMI':
        return form === 'exec' ? ok(cfg.manufacturer) : ['ERROR'];
      case '+CGMM':
      case '+GMM':
        return form === 'exec' ? ok(cfg.model) : ['ERROR'];
      case '+CGMR':
      case '+GMR':
        return form === 'exec' ? ok(this.revision()) : ['ERROR'];
      case '+CGSN':
      case '+GSN':
        return form === 'exec' ? ok(this.imei()) : form === 'test' ? ['OK'] : ['ERROR'];
      case '+CIMI':
        if (form !== 'exec') return form === 'test' ? ['OK'] : ['ERROR'];
        return this.cfun === 0 ? [this.cme(13)] : ok(this.imsi());
      case '+CPIN':
        if (form === 'read') return this.cfun === 0 ? [this.cme(13)] : ok('+CPIN: READY');
        return ['ERROR'];
      case '+CMEE':
        if (form === 'read') return ok(`+CMEE: ${this.cmee}`);
        if (form === 'test') return ok('+CMEE: (0-2)');
        if (form === 'write' && [0, 1, 2].includes(num(0))) {
          this.cmee = num(0);
          return ['OK'];
        }
        return ['ERROR'];
      case '+CFUN':
        return this.cfunCmd(form, args, num);
      case '+COPS':
        return this.copsCmd(form, num);
      case '+CREG':
      case '+CGREG':
      case '+CEREG':
      case '+C5GREG':
        return this.regCmd(name.slice(1) as Domain, form, num);
      case '+CSQ':
        return form === 'exec' ? ok(this.csq()) : form === 'test' ? ok('+CSQ: (0-31,99),(0-7,99)') : ['ERROR'];
      case '+QENG':
        if (form === 'write' && unq(args[0]).toLowerCase() === 'servingcell' && args.length === 1) return ok(...this.servingCellLines());
        if (form === 'test') return ok('+QENG: "servingcell","neighbourcell"');
        return ['ERROR'];
      case '+QNWINFO':
        return form === 'exec' ? ok(this.qnwinfo()) : ['ERROR'];
      case '+QNWPREFCFG':
        return this.prefCmd(form, args, unq);
      case '+CGDCONT':
        return this.cgdcontCmd(form, args, num, unq);
      case '+CGACT':
        return this.cgactCmd(form, args, num);
      case '+CGPADDR':
        return this.cgpaddrCmd(form, args, num);
      case '+CGEREP':
        if (form === 'read') return ok(`+CGEREP: ${this.cgerep},0`);
        if (form === 'test') return ok('+CGEREP: (0-2),(0-1)');
        if (form === 'write' && [0, 1, 2].includes(num(0))) {
          this.cgerep = num(0);
          return ['OK'];
        }
        if (form === 'exec') {
          this.cgerep = 0;
          return ['OK'];
        }
        return ['ERROR'];
      default:
        return ['ERROR'];
    }
  }

  private imei(): string {
    if (this.cfg.imei) return this.cfg.imei;
    const body = `359999${String(hash(this.cfg.ueId) % 100_000_000).padStart(8, '0')}`;
    return body + luhn(body);
  }

  private imsi(): string {
    if (this.cfg.imsi) return this.cfg.imsi;
    const msinLen = 15 - this.cfg.mcc.length - this.cfg.mnc.length;
    return `${this.cfg.mcc}${this.cfg.mnc}${String(hash(`imsi:${this.cfg.ueId}`)).padStart(msinLen, '0').slice(-msinLen)}`;
  }

  private revision(): string {
    return this.cfg.revision ?? `${this.cfg.model}TWINR01A01M4G`;
  }

  private cfunCmd(form: string, args: string[], num: (i: number) => number): string[] {
    if (form === 'read') return [`+CFUN: ${this.cfun}`, 'OK'];
    if (form === 'test') return ['+CFUN: (0,1,4),(0-1)', 'OK'];
    if (form !== 'write') return ['ERROR'];
    const fun = num(0);
    const rst = args.length > 1 ? num(1) : 0;
    if (![0, 1, 4].includes(fun) || ![0, 1].includes(rst)) return ['ERROR'];
    const was = this.cfun;
    this.cfun = fun;
    if (rst === 1) {
      // Reset: answer OK, then go deaf for rebootMs, boot and announce (facts §1, Radio on/off).
      this.cfun = 1;
      this.rebootPending = true;
      return ['OK'];
    }
    if (fun !== 1) this.deactivateAll('ME');
    if (fun === 1 && was !== 1) setTimeout(() => this.simUrcs(), 100).unref?.();
    setImmediate(() => this.tick());
    return ['OK'];
  }

  private rebootDone(): void {
    if (!this.pty || this.stopped) return;
    this.rebootingUntil = 0;
    this.rx = '';
    this.line('RDY');
    this.simUrcs();
  }

  private simUrcs(): void {
    for (const u of ['+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', '+QIND: PB DONE']) this.urc(u);
  }

  private copsCmd(form: string, num: (i: number) => number): string[] {
    if (form === 'read') {
      const camp = this.camp();
      const reg = this.registeredDomain();
      if (!reg || !camp.reading) return [`+COPS: ${this.copsMode}`, 'OK'];
      const act = camp.reading.rat === 'NR' ? 12 : 7;
      return [`+COPS: ${this.copsMode},0,"${camp.reading.operator.toUpperCase()}",${act}`, 'OK'];
    }
    if (form === 'test') {
      const camp = this.camp();
      const ops = camp.camped && camp.reading ? `(2,"${camp.reading.operator.toUpperCase()}","${camp.reading.operator}","${this.cfg.mcc}${this.cfg.mnc}",${camp.reading.rat === 'NR' ? 12 : 7}),` : '';
      return [`+COPS: ${ops},(0-4),(0-2)`, 'OK'];
    }
    if (form !== 'write') return ['ERROR'];
    const mode = num(0);
    if (mode !== 0 && mode !== 2) return [this.cme(4)];
    if (this.cfun !== 1) return [this.cme(3)];
    this.copsMode = mode;
    if (mode === 2) this.deactivateAll('ME');
    this.tick();
    return ['OK'];
  }

  private regCmd(d: Domain, form: string, num: (i: number) => number): string[] {
    if (form === 'test') return [`+${d}: (0-2)`, 'OK'];
    if (form === 'write') {
      const n = num(0);
      if (![0, 1, 2].includes(n)) return ['ERROR'];
      this.regN[d] = n;
      return ['OK'];
    }
    if (form === 'exec') {
      this.regN[d] = 0;
      return ['OK'];
    }
    this.tick();
    const n = this.regN[d];
    const stat = this.stat[d];
    const loc = n === 2 && (stat === 1 || stat === 5) ? this.location(d) : '';
    return [`+${d}: ${n},${stat}${loc}`, 'OK'];
  }

  /** `,"<tac>","<ci>",<AcT>` for a registration line of domain d. */
  private location(d: Domain): string {
    const r = this.camp().reading;
    if (!r) return '';
    const nr = r.rat === 'NR';
    const tac = nr ? this.cfg.tac.padStart(6, '0').toUpperCase() : this.cfg.tac.slice(-4).padStart(4, '0').toUpperCase();
    const act = d === 'C5GREG' ? 11 : 7;
    return `,"${tac}","${this.cellIdHex(r)}",${act}`;
  }

  private cellIdHex(r: AirUeReading): string {
    const h = hash(r.cellId);
    // 28-bit LTE ECI; 36-bit NR NCI (print at most 9 hex digits).
    return r.rat === 'NR' ? ((h * 16 + (r.pci & 0xf)) >>> 0).toString(16).toUpperCase() : (h & 0xfffffff).toString(16).toUpperCase();
  }

  private csq(): string {
    const camp = this.camp();
    const r = camp.reading;
    // Not for 5G on RM5xx: 99,99 unless camped on LTE.
    if (!camp.camped || !r || r.rat !== 'LTE') return '+CSQ: 99,99';
    const rssi = this.lteRssi(r);
    return `+CSQ: ${clamp(Math.round((rssi + 113) / 2), 0, 31)},99`;
  }

  private lteRssi(r: AirUeReading): number {
    // Resource blocks of the nearest LTE bandwidth (TS 36.101), for RSSI from RSRP.
    const nrb = LTE_PRB_TABLE.get(LTE_BW_MHZ[nearestIndex(LTE_BW_MHZ, r.bandwidthMHz)]!) ?? 100;
    return Math.round(r.rsrpDbm + 10 * Math.log10(12 * nrb));
  }

  private qnwinfo(): string {
    const camp = this.camp();
    const r = camp.reading;
    if (!camp.camped || !r || !this.registeredDomain()) return '+QNWINFO: No Service';
    const n = bandNumber(r.band);
    if (r.rat === 'NR') return `+QNWINFO: "${NR_TDD.has(n) ? 'TDD' : 'FDD'} NR5G","${this.cfg.mcc}${this.cfg.mnc}","NR5G BAND ${n}",${r.arfcn}`;
    return `+QNWINFO: "${LTE_TDD.has(n) ? 'TDD' : 'FDD'} LTE","${this.cfg.mcc}${this.cfg.mnc}","LTE BAND ${n}",${r.arfcn}`;
  }

  /** AT+QENG="servingcell" lines, field order per RAT as the RM5x0N manual prints them. */
  private servingCellLines(): string[] {
    const camp = this.camp();
    const r = camp.reading;
    if (!camp.camped || !r) return ['+QENG: "servingcell","SEARCH"'];
    const state = !this.registeredDomain() ? 'LIMSRV' : this.active.size > 0 ? 'CONNECT' : 'NOCONN';
    const n = bandNumber(r.band);
    const rsrp = clamp(Math.round(r.rsrpDbm), -140, -44);
    const { mcc, mnc } = this.cfg;
    if (r.rat === 'NR') {
      const tac = this.cfg.tac.padStart(6, '0').toUpperCase();
      const rsrq = clamp(Math.round(r.rsrqDb), -43, 20);
      const sinr = clamp(Math.round(r.sinrDb), -23, 40);
      const bw = nearestIndex(NR_BW_MHZ, r.bandwidthMHz);
      const scs = nearestIndex(SCS_KHZ, r.scsKHz);
      const duplex = NR_TDD.has(n) ? 'TDD' : 'FDD';
      return [`+QENG: "servingcell","${state}","NR5G-SA","${duplex}",${mcc},${mnc},${this.cellIdHex(r)},${r.pci},${tac},${r.arfcn},${n},${bw},${rsrp},${rsrq},${sinr},${scs},-`];
    }
    const tac = this.cfg.tac.slice(-4).padStart(4, '0').toUpperCase();
    const rsrq = clamp(Math.round(r.rsrqDb), -20, -3);
    const sinr = lteSinrFromDb(clamp(r.sinrDb, -20, 30), 'rm5x0n');
    const bw = nearestIndex(LTE_BW_MHZ, r.bandwidthMHz);
    const cqi = clamp(Math.round(r.cqi), 0, 15);
    const duplex = LTE_TDD.has(n) ? 'TDD' : 'FDD';
    const tx = state === 'CONNECT' ? '230' : '-';
    return [
      `+QENG: "servingcell","${state}","LTE","${duplex}",${mcc},${mnc},${this.cellIdHex(r)},${r.pci},${r.arfcn},${n},${bw},${bw},${tac},${rsrp},${rsrq},${this.lteRssi(r)},${sinr},${cqi > 0 ? cqi : '-'},${tx},-`,
    ];
  }

  private prefCmd(form: string, args: string[], unq: (s: string | undefined) => string): string[] {
    if (form === 'test') return ['+QNWPREFCFG: "lte_band",(1-71)', '+QNWPREFCFG: "nsa_nr5g_band",(1-79)', '+QNWPREFCFG: "nr5g_band",(1-79)', '+QNWPREFCFG: "mode_pref",AUTO,LTE,NR5G', 'OK'];
    if (form !== 'write' || args.length < 1) return ['ERROR'];
    const key = unq(args[0]).toLowerCase();
    if (!(key in this.prefs)) return ['ERROR'];
    if (args.length === 1) return [`+QNWPREFCFG: "${key}",${this.prefs[key]}`, 'OK'];
    const value = args.slice(1).join(',').toUpperCase();
    if (key.endsWith('band')) {
      // An empty list (the module refuses emptying a band list) or anything but numbers: ERROR.
      if (!/^\d+(:\d+)*$/.test(value)) return ['ERROR'];
    } else if (key === 'mode_pref') {
      if (!/^(AUTO|LTE|NR5G|LTE:NR5G|NR5G:LTE)$/.test(value)) return ['ERROR'];
    } else if (key === 'nr5g_disable_mode') {
      if (!/^[0-2]$/.test(value)) return ['ERROR'];
    }
    this.prefs[key] = value;
    setImmediate(() => this.tick());
    return ['OK'];
  }

  private cgdcontCmd(form: string, args: string[], num: (i: number) => number, unq: (s: string | undefined) => string): string[] {
    if (form === 'read') {
      const lines = [...this.contexts].sort(([a], [b]) => a - b).map(([cid, c]) => `+CGDCONT: ${cid},"${c.type}","${c.apn}","0.0.0.0",0,0,0,0`);
      return [...lines, 'OK'];
    }
    if (form === 'test') return ['+CGDCONT: (1-15),"IP",,,(0-2),(0-4),(0-1),(0-1)', 'OK'];
    if (form !== 'write') return ['ERROR'];
    const cid = num(0);
    if (!(cid >= 1 && cid <= 15)) return ['ERROR'];
    if (this.active.has(cid)) return [this.cme(3)];
    if (args.length === 1) {
      this.contexts.delete(cid);
      return ['OK'];
    }
    const type = unq(args[1]).toUpperCase();
    if (!['IP', 'IPV6', 'IPV4V6'].includes(type)) return ['ERROR'];
    this.contexts.set(cid, { type, apn: unq(args[2]) });
    return ['OK'];
  }

  private cgactCmd(form: string, args: string[], num: (i: number) => number): string[] {
    if (form === 'read') {
      const lines = [...this.contexts.keys()].sort((a, b) => a - b).map((cid) => `+CGACT: ${cid},${this.active.has(cid) ? 1 : 0}`);
      return [...lines, 'OK'];
    }
    if (form === 'test') return ['+CGACT: (0,1)', 'OK'];
    if (form !== 'write') return ['ERROR'];
    const state = num(0);
    if (state !== 0 && state !== 1) return ['ERROR'];
    const cids = args.length > 1 ? args.slice(1).map((a) => (/^\d+$/.test(a) ? Number(a) : NaN)) : [...this.contexts.keys()];
    if (cids.some((c) => !this.contexts.has(c))) return [this.cme(3)];
    if (state === 0) {
      for (const c of cids) if (this.active.delete(c) && this.cgerep > 0) this.urcLater(`+CGEV: ME PDN DEACT ${c}`);
      return ['OK'];
    }
    if (!this.registeredDomain()) return [this.cme(30)];
    for (const c of cids) {
      if (!this.active.has(c)) {
        this.active.add(c);
        if (this.cgerep > 0) this.urcLater(`+CGEV: ME PDN ACT ${c}`);
      }
    }
    return ['OK'];
  }

  private cgpaddrCmd(form: string, args: string[], num: (i: number) => number): string[] {
    if (form === 'test') return [`+CGPADDR: (${[...this.contexts.keys()].join(',')})`, 'OK'];
    const cids = form === 'write' ? args.map((_, i) => num(i)) : [...this.contexts.keys()].sort((a, b) => a - b);
    if (form !== 'write' && form !== 'exec') return ['ERROR'];
    if (cids.some((c) => !this.contexts.has(c))) return ['ERROR'];
    return [...cids.map((c) => (this.active.has(c) ? `+CGPADDR: ${c},"${this.address(c)}"` : `+CGPADDR: ${c}`)), 'OK'];
  }

  private address(cid: number): string {
    if (this.cfg.pdpAddress && cid === 1) return this.cfg.pdpAddress;
    const h = hash(this.cfg.ueId);
    return `10.45.${(h % 250) + 1}.${((h >>> 8) % 200) + 2 + cid - 1}`;
  }

  private urcLater(line: string): void {
    // After the command's own final result code, as a module sends it.
    setImmediate(() => this.urc(line));
  }

  private deactivateAll(who: 'ME' | 'NW'): void {
    for (const c of [...this.active]) {
      this.active.delete(c);
      if (this.cgerep > 0) this.urcLater(`+CGEV: ${who} PDN DEACT ${c}`);
    }
  }

  // ---- radio -----------------------------------------------------------------------------

  /** The cell this UE can camp on now, from the air and the modem's own settings. */
  private camp(): Camp {
    const r = this.air.ueReading(this.cfg.ueId);
    if (!r || !validReading(r)) return { reading: null, camped: false };
    const fresh = this.cfg.staleAfterMs === 0 || Date.now() - Number(r.updatedNs) / 1e6 <= this.cfg.staleAfterMs;
    const mode = this.prefs.mode_pref;
    const ratOk = r.rat === 'NR' ? mode === 'AUTO' || mode.includes('NR5G') : mode === 'AUTO' || mode.includes('LTE');
    const saOff = r.rat === 'NR' && this.prefs.nr5g_disable_mode === '1';
    const list = r.rat === 'NR' ? this.prefs.nr5g_band : this.prefs.lte_band;
    const bandOk = list.split(':').map(Number).includes(bandNumber(r.band));
    const camped = this.cfun === 1 && !this.isRebooting() && fresh && r.inService && ratOk && !saOff && bandOk;
    return { reading: r, camped };
  }

  private registeredDomain(): Domain | null {
    if (this.stat.C5GREG === 1) return 'C5GREG';
    if (this.stat.CEREG === 1) return 'CEREG';
    return null;
  }

  /** Re-evaluate registration; report changes as URCs (when enabled) and drop sessions on loss. */
  private tick(): void {
    try {
      this.evaluateRegistration();
    } catch (err) {
      log.warn({ ue: this.cfg.ueId, err: messageOf(err) }, 'twin modem registration update failed');
    }
  }

  private evaluateRegistration(): void {
    if (this.stopped || this.isRebooting()) return;
    const camp = this.camp();
    const now = Date.now();
    if (camp.camped) {
      if (this.campedSince === 0) this.campedSince = now;
    } else this.campedSince = 0;
    const searching = this.cfun === 1 && this.copsMode === 0;
    const registered = camp.camped && this.copsMode === 0 && now - this.campedSince >= this.cfg.registerMs;
    const nr = camp.reading?.rat === 'NR';
    const next: Record<Domain, number> = {
      CREG: 0,
      CGREG: 0,
      CEREG: registered ? (nr ? 0 : 1) : searching ? 2 : 0,
      C5GREG: registered ? (nr ? 1 : 0) : searching ? 2 : 0,
    };
    const lost = this.registeredDomain() !== null && !registered;
    for (const d of ['CREG', 'CGREG', 'CEREG', 'C5GREG'] as Domain[]) {
      if (next[d] === this.stat[d]) continue;
      this.stat[d] = next[d];
      const n = this.regN[d];
      if (n === 0) continue;
      const loc = n === 2 && (next[d] === 1 || next[d] === 5) ? this.location(d) : '';
      this.urc(`+${d}: ${next[d]}${loc}`);
    }
    if (lost && this.active.size > 0) this.deactivateAll('NW');
  }
}

/** Read and validate a twin modem config file (ConfigError naming the file and the key). */
export function loadTwinModemConfig(configPath: string): TwinModemConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${configPath}: cannot read twin modem config: ${messageOf(err)}`);
  }
  const parsed = twinModemConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`${configPath}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

/**
 * `ranlab twin-modem --config <file.json>`: run one twin modem in this process. Config JSON:
 * {ueId, airDir, imei?, imsi?, model?='RM520N', manufacturer?='Quectel', revision?, linkPath?,
 * mcc?='001', mnc?='01', tac?, pdpAddress?, registerMs?=200, rebootMs?=1500, pollMs?=200,
 * staleAfterMs?=0} (twinModemConfigSchema).
 *
 * Prints `twin modem <ueId> on <slavePath>` on stdout when ready, and again after each replug.
 * SIGUSR1: unplug (pty closed, link removed). SIGUSR2: replug (new pty, link re-pointed).
 * Serves until SIGTERM, SIGINT or its parent's lifeline (stdin) closes; then it closes the pty,
 * removes the link, resolves and exits with code 0. A bad config rejects (exit code 2).
 */
export async function runTwinModem(configPath: string): Promise<void> {
  let modem: TwinModem;
  let cfg: TwinModemConfig;
  let path: string;
  try {
    cfg = loadTwinModemConfig(configPath);
    modem = new TwinModem(cfg);
    path = modem.start();
  } catch (err) {
    process.exitCode = exitCodeOf(err);
    throw err;
  }
  const announce = (p: string) => process.stdout.write(`twin modem ${cfg.ueId} on ${p}\n`);
  await new Promise<void>((resolve) => {
    // Keeps the process alive while unplugged (no pty handle then).
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(keepAlive);
      modem.stop();
      resolve();
      setImmediate(() => process.exit(0));
    };
    process.on('SIGUSR1', () => {
      if (!stopped) modem.unplug();
    });
    process.on('SIGUSR2', () => {
      if (stopped) return;
      try {
        announce(modem.replug());
      } catch (err) {
        log.error({ ue: cfg.ueId, err: messageOf(err) }, 'replug failed');
      }
    });
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    exitWithParent(stop);
    announce(path);
  });
}

export interface StartedTwinModem {
  child: Child;
  /** The pty slave the modem opened first (it changes on every replug). */
  slavePath: string;
  /** The stable path to give the AT modem driver: linkPath, or the slave path without one. */
  port: string;
  configPath: string;
  /** Simulated unplug (SIGUSR1) and replug (SIGUSR2). */
  unplug(): void;
  replug(): void;
}

/**
 * For the controller: write the config to `<configDir>/twin-modem-<ueId>.json` and start
 * `ranlab twin-modem` (the compiled CLI) as a supervised child with a lifeline; resolves when
 * it has printed its pty.
 */
export async function startTwinModem(sup: Supervisor, config: TwinModemConfig, configDir: string): Promise<StartedTwinModem> {
  const cfg = twinModemConfigSchema.parse(config);
  mkdirSync(configDir, { recursive: true });
  if (cfg.linkPath) mkdirSync(dirname(cfg.linkPath), { recursive: true });
  const configPath = join(configDir, `twin-modem-${cfg.ueId}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const esc = cfg.ueId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const child = await sup.start({
    name: `twin-modem-${cfg.ueId}`,
    command: process.execPath,
    args: [cliEntry, 'twin-modem', '--config', configPath],
    readyLine: new RegExp(`^twin modem ${esc} on (\\S+)$`),
    lifeline: true,
    readyTimeoutMs: 15_000,
  });
  const slavePath = child.ready?.[1] ?? '';
  return {
    child,
    slavePath,
    port: cfg.linkPath ?? slavePath,
    configPath,
    unplug: () => process.kill(child.pid, 'SIGUSR1'),
    replug: () => process.kill(child.pid, 'SIGUSR2'),
  };
}
