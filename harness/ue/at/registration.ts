// Registration and operator selection: reading C5GREG/CEREG, attaching and detaching, and
// choosing the operator by PLMN.
import { ComponentError, ConfigError } from '../../errors.js';
import { sleep } from '../../proc/index.js';
import type { Registration } from '../types.js';
import { AtCommandError, AtProtocolError } from './errors.js';
import { readPower } from './identity.js';
import { lineWith, parseCops, parseRegistration, type Cops } from './parse.js';
import type { AtCommands } from './replies.js';

/** The registration of the RAT in use: C5GREG in SA, CEREG for LTE and NSA. */
export async function readRegistration(at: AtCommands): Promise<Registration> {
  const read = async (cmd: string, prefix: string): Promise<Registration | null> => {
    try {
      const r = await at.send(cmd);
      return at.replies.parse(cmd, () => parseRegistration(lineWith(r.lines, prefix)));
    } catch (err) {
      if (err instanceof AtCommandError) return null; // not supported by this module
      throw err;
    }
  };
  const nr = await read('AT+C5GREG?', '+C5GREG:');
  if (nr?.registered) return nr;
  const lte = await read('AT+CEREG?', '+CEREG:');
  if (lte?.registered) return lte;
  const either = nr ?? lte;
  if (!either) throw new AtProtocolError(at.id, 'AT+CEREG?', 'neither AT+C5GREG? nor AT+CEREG? answered');
  return either;
}

/** Radio on, automatic selection, then poll until registered or `timeoutMs` runs out. */
export async function attach(at: AtCommands, timeoutMs: number): Promise<Registration> {
  if ((await readPower(at)) !== 1) await at.send('AT+CFUN=1');
  await at.send('AT+COPS=0');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reg = await readRegistration(at);
    if (reg.registered) return reg;
    if (Date.now() >= deadline) throw new ComponentError(at.id, `not registered after ${timeoutMs} ms (stat ${reg.stat})`, 'UE_ATTACH_TIMEOUT');
    await sleep(300);
  }
}

export async function selectOperator(at: AtCommands, plmn: string): Promise<void> {
  if (!/^\d{5,6}$/.test(plmn)) throw new ConfigError(`UE ${at.id}: PLMN ${JSON.stringify(plmn)} is not MCC + MNC (5 or 6 digits)`, 'UE_BAD_ARGUMENT');
  // Manual selection, numeric format; the COPS write may take the vendor's 180 s (commands.ts).
  await at.send(`AT+COPS=1,2,"${plmn}"`);
}

export async function readOperatorSelection(at: AtCommands): Promise<Cops> {
  const r = await at.send('AT+COPS?');
  return at.replies.parse('AT+COPS?', () => parseCops(lineWith(r.lines, '+COPS:')));
}
