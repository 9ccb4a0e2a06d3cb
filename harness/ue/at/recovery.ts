// Not answering: `unansweredLimit` consecutive commands without a final result code (the
// channel's resync barriers included) make the driver reset the modem once (AT+CFUN=1,1,
// written straight to the port) and probe it for resetWaitMs. It answers: 'recovered'. It
// does not, or it stops answering again after its one reset: 'failed' (with `required`), and
// every further call fails with UeFailedError. The trial decides what a failure means.
import { nowNs } from '../../measure/types.js';
import { sleep } from '../../proc/index.js';
import type { AtChannel, AtReply, SendOptions } from './channel.js';
import { configure } from './configure.js';
import { log, type ModemCore } from './core.js';
import { AtTimeoutError, UeFailedError } from './errors.js';

/** AT+CFUN=<fun>,1: a reset the user asked for. */
const REQUESTED_RESET = /^AT\+CFUN=\s*\d+\s*,\s*1\s*$/i;

export class Recovery {
  private resetsLeft = 1;

  /** `whenBack`: the modem answers again (restores data sessions); `stopAll`: it failed. */
  constructor(
    private readonly core: ModemCore,
    private readonly hooks: { whenBack(): void; stopAll(): void },
  ) {}

  /** Send one command; resolves with its reply (OK), rejects with a typed error otherwise. */
  async send(command: string, options: SendOptions = {}): Promise<AtReply> {
    const core = this.core;
    const ch = core.usable();
    let reply: AtReply;
    try {
      reply = await ch.send(command, options);
    } catch (err) {
      if (err instanceof AtTimeoutError) this.noteUnanswered(ch);
      throw err;
    }
    // The module goes deaf while it reboots: wait for it instead of counting its silence as a hang.
    if (REQUESTED_RESET.test(command.trim()) && core.health === 'ready' && ch === core.channel) void this.afterRequestedReset();
    return reply;
  }

  private async afterRequestedReset(): Promise<void> {
    const core = this.core;
    core.health = 'resetting';
    log.info({ ue: core.id }, 'modem reset requested; waiting for it to answer again');
    if (await this.waitUntilAnswering(core.resetWaitMs)) {
      core.health = 'ready';
      this.hooks.whenBack();
    } else if (!core.closing) await this.fail(new UeFailedError(core.id, `no answer ${core.resetWaitMs} ms after the requested reset`));
  }

  private noteUnanswered(ch: AtChannel): void {
    const core = this.core;
    if (core.health !== 'ready' || ch !== core.channel) return;
    if (ch.consecutiveTimeouts < (core.opts.unansweredLimit ?? 3)) return;
    void this.recover(ch);
  }

  private async recover(ch: AtChannel): Promise<void> {
    const core = this.core;
    const detail = `no answer to ${ch.consecutiveTimeouts} commands in a row`;
    if (this.resetsLeft <= 0) return this.fail(new UeFailedError(core.id, `${detail}, and its one reset was already used`));
    this.resetsLeft--;
    core.health = 'resetting';
    log.warn({ ue: core.id, detail }, 'modem not answering: resetting it (AT+CFUN=1,1)');
    core.emit({ kind: 'reset', detail, timestampNs: nowNs() });
    // Straight to the port: the channel would first try to resynchronise, which is what fails.
    try {
      core.port?.write('AT+CFUN=1,1\r', 'latin1');
    } catch {
      /* the port may be gone already */
    }
    ch.invalidate();
    if (await this.waitUntilAnswering(core.resetWaitMs)) {
      core.health = 'ready';
      log.info({ ue: core.id }, 'modem answers again after reset');
      core.emit({ kind: 'recovered', timestampNs: nowNs() });
      this.hooks.whenBack();
      return;
    }
    if (!core.closing) await this.fail(new UeFailedError(core.id, `${detail}; still no answer ${core.resetWaitMs} ms after AT+CFUN=1,1`));
  }

  /** After a reset: probe (resynchronise and configure) until the modem answers, or time runs out. */
  private async waitUntilAnswering(waitMs: number): Promise<boolean> {
    const core = this.core;
    const deadline = Date.now() + waitMs;
    // Give the module a moment to act on the reset before probing.
    await sleep(Math.min(1000, waitMs));
    while (Date.now() < deadline && !core.closing && core.health === 'resetting') {
      const c = core.channel;
      if (c && !c.isClosed) {
        try {
          await c.resync();
          if (core.configureOnOpen) await configure(core, c);
          return true;
        } catch {
          /* not yet */
        }
      } else await sleep(200);
    }
    return false;
  }

  private async fail(error: UeFailedError): Promise<void> {
    const core = this.core;
    if (core.health === 'failed') return;
    core.health = 'failed';
    log.error({ ue: core.id, required: core.required, err: error.message }, 'modem failed');
    this.hooks.stopAll();
    core.dropChannel(error);
    await core.closePort();
    core.emit({ kind: 'failed', error, required: core.required, timestampNs: nowNs() });
  }
}
