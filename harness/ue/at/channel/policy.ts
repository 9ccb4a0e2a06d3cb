// The channel's own settings against the commands it is asked to send: reply pairing relies on
// echo and verbose result codes (rule 3, pairing.ts), so commands that would turn them off are
// refused, and commands that reset the modem's settings make the channel set them up again.
import { ConfigError } from '../../../errors.js';
import { commandSpec, type CommandSpec } from '../commands.js';

/** The command's spec, or the ConfigError saying why the channel will not send it. */
export function admit(command: string, raw: boolean): CommandSpec | ConfigError {
  const text = command.replace(/[\r\n]+$/, '');
  if (/[\r\n]/.test(text)) return new ConfigError(`AT command must be one line: ${JSON.stringify(command)}`, 'AT_INVALID');
  if (!/^AT/i.test(text)) return new ConfigError(`not an AT command: ${JSON.stringify(command)}`, 'AT_INVALID');
  const spec = commandSpec(text, raw);
  const arg = text.slice(3).trim();
  if ((spec.name === 'V' && arg === '0') || (spec.name === 'Q' && arg === '1') || (spec.name === 'E' && (arg === '' || arg === '0'))) {
    return new ConfigError(`${text}: this driver keeps echo and verbose result codes on (reply pairing relies on them)`, 'AT_UNSUPPORTED');
  }
  return spec;
}

/** Commands that reset the modem's settings (ATZ, AT&F) or the modem (AT+CFUN=x,1). */
export function resetsModem(spec: CommandSpec): boolean {
  return spec.name === 'Z' || spec.name === '&F' || (spec.name === '+CFUN' && /=\s*\d+\s*,\s*1\s*$/.test(spec.text));
}
