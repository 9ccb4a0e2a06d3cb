// What every part of the AT modem driver shares: the options, the open port and its AT
// channel, the health, and the event listeners.
import type { SerialPort } from 'serialport';
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import type { UeEvent, UeHealth } from '../types.js';
import type { AtChannel } from './channel.js';
import { UeDisconnectedError, UeFailedError } from './errors.js';
import type { AtModemOptions } from './options.js';
import { closeQuietly } from './serial.js';

export const log = childLog('ue');

export type Listener = (e: UeEvent) => void;

export class ModemCore {
  readonly id: string;
  readonly required: boolean;
  port: SerialPort | null = null;
  channel: AtChannel | null = null;
  health: UeHealth = 'closed';
  /** Set by close(): a reopen or recovery under way must not bring the modem back. */
  closing = false;
  /** Whether opens (and reboots) apply the driver's settings (`ue at`/`ue status` do not). */
  configureOnOpen = true;
  /** The model ATI reported (authoritative over opts.model). */
  identifiedModel: string | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(readonly opts: AtModemOptions) {
    this.id = opts.id;
    this.required = opts.required ?? false;
  }

  get resetWaitMs(): number {
    return this.opts.resetWaitMs ?? 30_000;
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A listener that throws must not stop the others, nor the driver. */
  emit(e: UeEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        log.warn({ ue: this.id, err: messageOf(err) }, 'UE event listener threw');
      }
    }
  }

  /** Fail whatever waits on the channel with `err`, and forget it. */
  dropChannel(err: Error): void {
    this.channel?.close(err);
    this.channel = null;
  }

  async closePort(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (p) await closeQuietly(p);
  }

  /** The channel, if the modem can take commands now; else the typed error saying why not. */
  usable(): AtChannel {
    switch (this.health) {
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
}
