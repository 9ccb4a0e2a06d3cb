// The settings the driver relies on and the modem forgets on reboot (CMEE is not saved).
import type { AtChannel } from './channel.js';
import { log, type ModemCore } from './core.js';
import { AtCommandError } from './errors.js';

/**
 * Sent after every open, RDY and reset: verbose CME errors, registration URCs with location,
 * packet-domain event URCs. (Echo is the channel's business: it keeps it on.)
 */
export async function configure(core: ModemCore, channel: AtChannel): Promise<void> {
  // Verbose errors, else numeric ones; a module refusing both still opens (its refusals then
  // read plain ERROR). Opening never hangs on one command.
  const refused = (err: unknown) => {
    if (!(err instanceof AtCommandError)) throw err;
    return false;
  };
  if (!(await channel.send('AT+CMEE=2').then(() => true, refused)) && !(await channel.send('AT+CMEE=1').then(() => true, refused))) {
    log.warn({ ue: core.id }, 'modem refuses AT+CMEE=2 and AT+CMEE=1: its errors will carry no cause');
  }
  for (const c of ['AT+CEREG=2', 'AT+C5GREG=2', 'AT+CGEREP=1']) {
    // Not every module has every one (EG25 has no C5GREG): a refusal is fine, a timeout is not.
    await channel.send(c).catch((err) => {
      if (!(err instanceof AtCommandError)) throw err;
    });
  }
}
