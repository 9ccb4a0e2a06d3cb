// Unsolicited result codes: registration URCs become 'registration' events; RDY (the modem
// rebooted, its echo and CMEE back to their defaults) makes the driver configure it again.
// Every URC is also passed on verbatim as a 'urc' event.
import { messageOf } from '../../errors.js';
import { nowNs } from '../../measure/types.js';
import { isRegLine } from './commands.js';
import { log, type ModemCore } from './core.js';
import { configure } from './configure.js';
import { parseRegistration } from './parse.js';

export function handleUrc(core: ModemCore, line: string): void {
  const ts = nowNs();
  if (isRegLine(line)) {
    try {
      core.emit({ kind: 'registration', registration: parseRegistration(line), timestampNs: ts });
      return;
    } catch {
      // fall through: report it verbatim
    }
  }
  if (line === 'RDY' && core.channel) {
    core.channel.invalidate();
    if (core.health === 'ready' && core.configureOnOpen) {
      const ch = core.channel;
      void configure(core, ch).catch((err) => log.debug({ ue: core.id, err: messageOf(err) }, 'reconfigure after RDY failed'));
    }
  }
  core.emit({ kind: 'urc', line, timestampNs: ts });
}
