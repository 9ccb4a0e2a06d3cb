// The twin modem: one per twin UE, on a real pseudo-terminal (port.ts), speaking the Quectel
// AT subset of its model (profiles.ts) so the trial drives it through the very driver a real
// module gets. Its radio readings come from the air folder: the twin base station publishes an
// AirUeReading for this UE (twin/air.ts), so they move when the ledger's grants move.
//
// Simulated unplug: unplug() closes the pty and removes the link (the port vanishes, the driver
// sees a disconnect); replug() opens a new pty, re-points the link and boots the module again.
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import { Air } from '../air.js';
import { campOn, type Camp } from './camp.js';
import { parseTwinModemConfig, type TwinModemConfig, type TwinModemSettings } from './config.js';
import type { ModemCore } from './core.js';
import { dispatch } from './dispatch.js';
import { deriveAddress, deriveImei, deriveImsi } from './identity.js';
import { ModemPort } from './port.js';
import { profileOf, type ModemProfile } from './profiles.js';
import { updateRegistration } from './registration.js';
import type { CellState } from './servingcell.js';
import { factoryNvm, powerOnVolatile, type Domain, type NvmSettings, type VolatileSettings } from './settings.js';
import { CME_WORDS } from './tables.js';

const log = childLog('twin-modem');

export class TwinModem implements ModemCore {
  readonly cfg: TwinModemSettings;
  readonly profile: ModemProfile;
  readonly nvm: NvmSettings;
  vol: VolatileSettings = powerOnVolatile();
  private readonly air: Air;
  private readonly port: ModemPort;
  private plugged = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private rebootingUntil = 0;
  private rebootPending = false;

  constructor(config: TwinModemConfig) {
    this.cfg = parseTwinModemConfig(config);
    this.profile = profileOf(this.cfg.model);
    this.nvm = factoryNvm(this.profile);
    this.air = new Air(this.cfg.airDir);
    this.port = new ModemPort(this.cfg.ueId, this.cfg.linkPath, {
      echo: () => this.vol.echo,
      deaf: () => this.isRebooting(),
      onLine: (line) => this.execute(line),
    });
  }

  get slavePath(): string | null {
    return this.port.slavePath;
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
    this.plugged = false;
    this.port.close();
    log.info({ ue: this.cfg.ueId }, 'unplugged');
  }

  /** The device re-appears: a new pty, the link re-pointed, the module boots. Returns the new slave path. */
  replug(): string {
    return this.plugged ? this.port.slavePath! : this.plugIn();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unplug();
  }

  private plugIn(): string {
    this.boot();
    const path = this.port.open();
    this.plugged = true;
    // A module announces itself when it boots (flushed by a client that opens the port later).
    this.urc('RDY');
    return path;
  }

  private boot(): void {
    this.vol = powerOnVolatile();
    this.rebootingUntil = 0;
  }

  // ---- ModemCore ---------------------------------------------------------------------------

  camp(): Camp {
    return campOn({ reading: this.air.ueReading(this.cfg.ueId), profile: this.profile, nvm: this.nvm, cfg: this.cfg, rebooting: this.isRebooting() });
  }

  /** In traffic (CONNECT) with a data session up or data flowing on the air (the gNB schedules it). */
  cellState(camp: Camp): CellState {
    if (!this.registeredDomain() || !camp.plmnOk) return 'LIMSRV';
    return this.vol.active.size > 0 || (camp.reading?.throughputKbps ?? 0) > 0 ? 'CONNECT' : 'NOCONN';
  }

  registeredDomain(): Domain | null {
    if (this.vol.stat.C5GREG === 1) return 'C5GREG';
    if (this.vol.stat.CEREG === 1) return 'CEREG';
    return null;
  }

  cme(code: number): string {
    if (this.vol.cmee === 0) return 'ERROR';
    if (this.vol.cmee === 1) return `+CME ERROR: ${code}`;
    return `+CME ERROR: ${CME_WORDS[code] ?? String(code)}`;
  }

  /** State and URCs at once: a change is announced before any reply that shows it, as on a module. */
  tick(): void {
    if (this.stopped || this.isRebooting()) return;
    try {
      updateRegistration(this, this.camp(), (l) => this.urc(l));
    } catch (err) {
      log.warn({ ue: this.cfg.ueId, err: messageOf(err) }, 'twin modem registration update failed');
    }
  }

  urcLater(line: string): void {
    setImmediate(() => this.urc(line));
  }

  deactivateAll(who: 'ME' | 'NW'): void {
    for (const cid of [...this.vol.active]) {
      this.vol.active.delete(cid);
      if (this.vol.cgerep > 0) this.urcLater(`+CGEV: ${who} PDN DEACT ${cid}`);
    }
  }

  requestReboot(): void {
    this.rebootPending = true;
  }

  simUrcsSoon(): void {
    setTimeout(() => this.simUrcs(), 100).unref?.();
  }

  imei(): string {
    return this.cfg.imei ?? deriveImei(this.cfg.ueId);
  }
  imsi(): string {
    return this.cfg.imsi ?? deriveImsi(this.cfg.ueId, this.cfg.mcc, this.cfg.mnc);
  }
  revision(): string {
    return this.cfg.revision ?? this.profile.revision;
  }
  address(cid: number): string {
    return this.cfg.pdpAddress && cid === 1 ? this.cfg.pdpAddress : deriveAddress(this.cfg.ueId, cid);
  }

  // ---- the line ----------------------------------------------------------------------------

  private urc(s: string): void {
    if (!this.isRebooting()) this.port.line(s);
  }
  private isRebooting(): boolean {
    return Date.now() < this.rebootingUntil;
  }

  /** One command line; false when the module went deaf (a reset) and drops the rest of its input. */
  private execute(cmd: string): boolean {
    if (!/^AT/i.test(cmd)) return true; // modems ignore lines that are not commands
    let out: string[];
    try {
      out = dispatch(this, cmd.slice(2));
    } catch (err) {
      log.warn({ ue: this.cfg.ueId, cmd, err: messageOf(err) }, 'twin modem command failed');
      out = ['ERROR'];
    }
    for (const l of out) this.port.line(l);
    if (!this.rebootPending) return true;
    this.rebootPending = false;
    this.boot();
    this.rebootingUntil = Date.now() + this.cfg.rebootMs;
    setTimeout(() => this.rebootDone(), this.cfg.rebootMs).unref?.();
    return false;
  }

  private rebootDone(): void {
    if (!this.plugged || this.stopped) return;
    this.rebootingUntil = 0;
    this.port.clearInput();
    this.port.line('RDY');
    this.simUrcs();
  }

  private simUrcs(): void {
    for (const u of ['+CFUN: 1', '+CPIN: READY', '+QUSIM: 1', '+QIND: SMS DONE', '+QIND: PB DONE']) this.urc(u);
  }
}
