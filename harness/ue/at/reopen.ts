// Unplugged and back: when the port closes under the driver, commands waiting fail with
// UeDisconnectedError, an 'unplugged' event goes out, and the configured path (use the stable
// /dev/serial/by-id link) is looked for every reopenPollMs; once the device is back it is
// opened, resynchronised and configured again, and 'replugged' goes out.
import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { messageOf } from '../../errors.js';
import { nowNs } from '../../measure/types.js';
import { log, type ModemCore } from './core.js';
import { UeDisconnectedError } from './errors.js';
import { openPort } from './opening.js';

export class Reopener {
  private timer: NodeJS.Timeout | null = null;
  private reopening = false;

  /** `whenBack`: called once the modem is back and ready (restores data sessions). */
  constructor(
    private readonly core: ModemCore,
    private readonly whenBack: () => void,
  ) {}

  /** Open the port, with this watcher told when it closes. */
  open(): Promise<void> {
    return openPort(this.core, this.portClosed);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private readonly portClosed = (port: SerialPort, err: Error | null): void => {
    const core = this.core;
    if (port !== core.port) return; // an old port
    core.port = null;
    const detail = err ? err.message : 'port closed';
    core.dropChannel(new UeDisconnectedError(core.id, `port ${core.opts.port} closed: ${detail}`));
    // While opening, open() itself fails and reports it.
    if (core.closing || core.health === 'failed' || core.health === 'opening') return;
    log.warn({ ue: core.id, port: core.opts.port, detail }, 'modem port closed; waiting for it to come back');
    if (core.health !== 'resetting') {
      core.health = 'unplugged';
      core.emit({ kind: 'unplugged', detail, timestampNs: nowNs() });
    }
    if (!this.timer) this.timer = setInterval(() => void this.tryReopen(), core.opts.reopenPollMs ?? 250);
  };

  private async tryReopen(): Promise<void> {
    const core = this.core;
    if (this.reopening || core.port || core.closing || core.health === 'failed') return;
    if (!existsSync(core.opts.port)) return;
    this.reopening = true;
    try {
      await this.open();
      if (core.closing) {
        // close() was called while this reopen was under way.
        core.dropChannel(new UeDisconnectedError(core.id, 'closed'));
        await core.closePort();
        return;
      }
      this.stop();
      if (core.health === 'unplugged') {
        core.health = 'ready';
        log.info({ ue: core.id, port: core.opts.port }, 'modem back');
        core.emit({ kind: 'replugged', timestampNs: nowNs() });
        this.whenBack();
      }
    } catch (err) {
      log.debug({ ue: core.id, err: messageOf(err) }, 'reopen attempt failed');
    } finally {
      this.reopening = false;
    }
  }
}
