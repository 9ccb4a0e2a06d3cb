// What command handlers see of a twin modem: its settings, its view of the air, and the few
// actions a command can start (URCs, a reboot, a registration update).
import type { Camp } from './camp.js';
import type { TwinModemSettings } from './config.js';
import type { ModemProfile } from './profiles.js';
import type { CellState } from './servingcell.js';
import type { Domain, NvmSettings, VolatileSettings } from './settings.js';
import type { AtLine } from './syntax.js';

export interface ModemCore {
  readonly cfg: TwinModemSettings;
  readonly profile: ModemProfile;
  readonly nvm: NvmSettings;
  readonly vol: VolatileSettings;
  /** The cell usable now. */
  camp(): Camp;
  /** SEARCH is no camp; otherwise LIMSRV / NOCONN / CONNECT. */
  cellState(camp: Camp): CellState;
  /** The domain the modem is registered in, or null. */
  registeredDomain(): Domain | null;
  /** A CME error as CMEE asks: ERROR, +CME ERROR: <code>, or the words. */
  cme(code: number): string;
  /** Re-evaluate registration now (URCs for what changed go out at once, before the reply). */
  tick(): void;
  /** After the command's own final result code, as a module sends it. */
  urcLater(line: string): void;
  deactivateAll(who: 'ME' | 'NW'): void;
  /** Reset after this command's reply: deaf for rebootMs, then RDY. */
  requestReboot(): void;
  /** The SIM and phonebook URCs a module sends after the radio comes on. */
  simUrcsSoon(): void;
  imei(): string;
  imsi(): string;
  revision(): string;
  address(cid: number): string;
}

export type Handler = (m: ModemCore, c: AtLine) => string[];

export const ok = (...lines: string[]): string[] => [...lines, 'OK'];
export const ERROR = ['ERROR'];
