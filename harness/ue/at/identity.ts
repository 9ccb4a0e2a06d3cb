// Who the modem is (ATI, IMEI, IMSI) and its power state (AT+CFUN).
import type { PowerState, UeIdentity } from '../types.js';
import { AtCommandError, CmeError } from './errors.js';
import { lineWith, parseAti, parseCfun, parseImei, parseImsi } from './parse.js';
import type { AtCommands } from './replies.js';

/**
 * The IMSI is null when the modem refuses AT+CIMI (no SIM, SIM locked). `noteModel` hears the
 * model as soon as ATI is read (the SINR scale depends on it, even if the IMEI cannot be read).
 */
export async function readIdentity(at: AtCommands, noteModel: (model: string) => void): Promise<UeIdentity> {
  const { replies } = at;
  const ati = await at.send('ATI');
  const cgsn = await at.send('AT+CGSN');
  let imsi: string | null = null;
  try {
    const cimi = await at.send('AT+CIMI');
    imsi = replies.parse('AT+CIMI', () => parseImsi(cimi.lines));
  } catch (err) {
    if (!(err instanceof CmeError || err instanceof AtCommandError)) throw err;
  }
  const ids = replies.parse('ATI', () => parseAti(ati.lines));
  noteModel(ids.model);
  return {
    ...ids,
    imei: replies.parse('AT+CGSN', () => parseImei(cgsn.lines)),
    imsi,
  };
}

export async function readPower(at: AtCommands): Promise<PowerState> {
  const r = await at.send('AT+CFUN?');
  return at.replies.parse('AT+CFUN?', () => parseCfun(lineWith(r.lines, '+CFUN:')));
}
