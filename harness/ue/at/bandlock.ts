// Band lock: the band lists and mode preference of AT+QNWPREFCFG, read and written.
import { ConfigError, messageOf } from '../../errors.js';
import type { BandLock } from '../types.js';
import { log } from './core.js';
import { AtCommandError, AtProtocolError, UeDisconnectedError, UeFailedError } from './errors.js';
import { parseBandLock } from './parse.js';
import type { AtCommands } from './replies.js';

/**
 * One AT+QNWPREFCFG read per key. A key the modem refuses (ERROR, +CME ERROR: EG25 has no
 * QNWPREFCFG) is left undefined; any other failure of one key (a reply the driver cannot use,
 * no answer) is logged, kept in `problems` and does not stop the other keys. Only a modem that
 * is gone (unplugged, failed) ends the read.
 */
export async function readBandLock(at: AtCommands): Promise<BandLock> {
  const out: BandLock = {};
  const problems: Record<string, string> = {};
  for (const key of ['lte_band', 'nsa_nr5g_band', 'nr5g_band', 'mode_pref']) {
    const cmd = `AT+QNWPREFCFG="${key}"`;
    try {
      const r = await at.send(cmd);
      const lock = at.replies.parse(cmd, () => parseBandLock(r.lines.filter((l) => l.includes(`"${key}"`))));
      if (Object.keys(lock).length === 0) throw new AtProtocolError(at.id, cmd, `no +QNWPREFCFG: "${key}" line in ${JSON.stringify(r.lines)}`);
      Object.assign(out, lock);
    } catch (err) {
      if (err instanceof UeDisconnectedError || err instanceof UeFailedError) throw err;
      if (err instanceof AtCommandError) continue;
      problems[key] = messageOf(err);
      log.warn({ ue: at.id, command: cmd, err: messageOf(err) }, 'band lock key not read; reading the others');
    }
  }
  if (Object.keys(problems).length > 0) out.problems = problems;
  return out;
}

/** Writes the keys `lock` has, in order; ConfigError (before sending it) for a malformed one. */
export async function writeBandLock(at: AtCommands, lock: BandLock): Promise<void> {
  const list = (name: string, bands: number[]) => {
    if (!bands.every((b) => Number.isInteger(b) && b > 0)) throw new ConfigError(`${at.id}: ${name} must be positive band numbers, got ${JSON.stringify(bands)}`, 'CONFIG_INVALID');
    return bands.join(':');
  };
  if (lock.lte) await at.send(`AT+QNWPREFCFG="lte_band",${list('lte', lock.lte)}`);
  if (lock.nsaNr) await at.send(`AT+QNWPREFCFG="nsa_nr5g_band",${list('nsaNr', lock.nsaNr)}`);
  if (lock.saNr) await at.send(`AT+QNWPREFCFG="nr5g_band",${list('saNr', lock.saNr)}`);
  if (lock.modePref) {
    if (!/^[A-Z0-9:]+$/.test(lock.modePref)) throw new ConfigError(`${at.id}: modePref ${JSON.stringify(lock.modePref)} is not AUTO, LTE, NR5G or a colon list`, 'CONFIG_INVALID');
    await at.send(`AT+QNWPREFCFG="mode_pref",${lock.modePref}`);
  }
}
