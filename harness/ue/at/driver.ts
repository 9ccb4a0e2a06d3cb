// The AT modem UE driver: a Quectel module (or the twin modem, which speaks the same AT
// subset on a real pseudo-terminal) behind the serialport package. This class only wires the
// parts together; each lives in its own file:
// - opening.ts, configure.ts, serial.ts: the port, the AT channel, the driver's settings;
// - urc.ts: unsolicited result codes (registration, RDY);
// - reopen.ts: unplugged and back (issue item 2); recovery.ts: not answering, reset, failed;
// - replies.ts: parsing replies, reporting lines the driver cannot use;
// - identity.ts, registration.ts, readings.ts, bandlock.ts, sessions.ts, status.ts: what it reads and sets;
// - core.ts: the state they share.
import { ConfigError } from '../../errors.js';
import type { BandLock, DataSession, PowerState, Registration, ServingCell, Ue, UeHealth, UeIdentity } from '../types.js';
import type { AtReply, SendOptions } from './channel.js';
import { ModemCore, type Listener } from './core.js';
import { UeDisconnectedError, UeFailedError } from './errors.js';
import { readBandLock, writeBandLock } from './bandlock.js';
import { readIdentity, readPower } from './identity.js';
import type { AtModemOptions } from './options.js';
import type { Cops } from './parse.js';
import { ReadingLoop, readServingCell } from './readings.js';
import { Recovery } from './recovery.js';
import { attach, readOperatorSelection, readRegistration, selectOperator } from './registration.js';
import { Reopener } from './reopen.js';
import { ReplyParser, type AtCommands } from './replies.js';
import { lteSinrScaleForModel, type LteSinrScale } from './servingcell.js';
import { DataSessions, type SessionRequest } from './sessions.js';
import { readStatus, type UeStatus } from './status.js';

export type { AtModemOptions } from './options.js';
export type { UeStatus } from './status.js';

export class AtModemUe implements Ue {
  readonly id: string;
  readonly operator: string;
  readonly required: boolean;
  private readonly core: ModemCore;
  private readonly at: AtCommands;
  private readonly reopener: Reopener;
  private readonly recovery: Recovery;
  private readonly readings: ReadingLoop;
  private readonly sessions: DataSessions;

  constructor(opts: AtModemOptions) {
    if (!opts.id) throw new ConfigError('AT modem UE needs an id', 'CONFIG_INVALID');
    if (!opts.port) throw new ConfigError(`${opts.id}: AT modem UE needs a port`, 'CONFIG_INVALID');
    const core = (this.core = new ModemCore(opts));
    this.id = opts.id;
    this.operator = opts.operator ?? '';
    this.required = core.required;
    const whenBack = () => this.sessions.restore();
    this.reopener = new Reopener(core, whenBack);
    this.recovery = new Recovery(core, {
      whenBack,
      stopAll: () => {
        this.stopReadings();
        this.reopener.stop();
      },
    });
    this.at = { id: this.id, send: (c, o) => this.send(c, o), replies: new ReplyParser(core) };
    this.readings = new ReadingLoop(core, () => this.servingCell());
    this.sessions = new DataSessions(core, this.at);
  }

  get health(): UeHealth {
    return this.core.health;
  }

  on(listener: Listener): () => void {
    return this.core.on(listener);
  }

  /**
   * Open the port and bring the modem to a known state: echo on and resynchronised (the
   * channel does that, pairing relies on it), then (configure, the default) the driver's
   * settings (configure.ts). `configure: false` leaves those as they are (for `ue at` and
   * `ue status`).
   */
  async open(options: { configure?: boolean } = {}): Promise<void> {
    const core = this.core;
    if (core.health === 'failed') throw new UeFailedError(this.id, 'failed earlier');
    core.closing = false;
    core.configureOnOpen = options.configure ?? true;
    core.health = 'opening';
    try {
      await this.reopener.open();
    } catch (err) {
      core.health = 'closed';
      throw err;
    }
    core.health = 'ready';
  }

  async close(): Promise<void> {
    const core = this.core;
    core.closing = true;
    this.stopReadings();
    this.reopener.stop();
    core.dropChannel(new UeDisconnectedError(this.id, 'closed'));
    await core.closePort();
    if (core.health !== 'failed') core.health = 'closed';
  }

  /** Send one command; resolves with its reply (OK), rejects with a typed error otherwise. */
  send(command: string, options: SendOptions = {}): Promise<AtReply> {
    return this.recovery.send(command, options);
  }

  async identity(): Promise<UeIdentity> {
    return readIdentity(this.at, (model) => (this.core.identifiedModel = model));
  }

  power(): Promise<PowerState> {
    return readPower(this.at);
  }

  async setPower(on: boolean): Promise<void> {
    await this.send(on ? 'AT+CFUN=1' : 'AT+CFUN=4');
  }

  registration(): Promise<Registration> {
    return readRegistration(this.at);
  }

  attach(timeoutMs = 60_000): Promise<Registration> {
    return attach(this.at, timeoutMs);
  }

  async detach(): Promise<void> {
    await this.send('AT+COPS=2');
  }

  selectOperator(plmn: string): Promise<void> {
    return selectOperator(this.at, plmn);
  }

  operatorSelection(): Promise<Cops> {
    return readOperatorSelection(this.at);
  }

  servingCell(): Promise<ServingCell> {
    return readServingCell(this.at, this.lteSinrScale());
  }

  /** LTE SINR scale: the option, else by module (RM5xx prints the RM5x0N scale on either line length). */
  private lteSinrScale(): LteSinrScale | undefined {
    if (this.core.opts.lteSinr) return this.core.opts.lteSinr;
    return lteSinrScaleForModel(this.core.identifiedModel ?? this.core.opts.model);
  }

  startReadings(periodMs: number): void {
    this.readings.start(periodMs);
  }

  stopReadings(): void {
    this.readings.stop();
  }

  bandLock(): Promise<BandLock> {
    return readBandLock(this.at);
  }

  setBandLock(lock: BandLock): Promise<void> {
    return writeBandLock(this.at, lock);
  }

  startDataSession(o: SessionRequest = {}): Promise<DataSession> {
    return this.sessions.start(o);
  }

  stopDataSession(cid = 1): Promise<void> {
    return this.sessions.stop(cid);
  }

  dataSession(cid = 1): Promise<DataSession> {
    return this.sessions.read(cid);
  }

  status(): Promise<UeStatus> {
    return readStatus(this, this.core.opts.port);
  }
}
