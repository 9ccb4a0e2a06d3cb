// Quectel commands: +QENG (serving cell), +QNWPREFCFG (RM5xx band lock and RAT preference),
// +QCFG="nwscanmode" and +QNWLOCK="common/lte" (EG25, which has no QNWPREFCFG).
import { ERROR, ok, type Handler } from '../core.js';
import { servingCellLines } from '../servingcell.js';
import { intArg, unquote } from '../syntax.js';

export const qeng: Handler = (m, c) => {
  if (c.form === 'test') return ok('+QENG: "servingcell","neighbourcell"');
  if (c.form !== 'write' || c.args.length !== 1 || unquote(c.args[0]).toLowerCase() !== 'servingcell') return ERROR;
  const camp = m.camp();
  return ok(...servingCellLines({ camp, state: m.cellState(camp), profile: m.profile, cfg: m.cfg }));
};

export const qnwprefcfg: Handler = (m, c) => {
  if (m.profile.bandConfig !== 'qnwprefcfg') return ERROR;
  const prefs = m.nvm.prefs;
  if (c.form === 'test') {
    return ok('+QNWPREFCFG: "lte_band",(1-71)', '+QNWPREFCFG: "nsa_nr5g_band",(1-79)', '+QNWPREFCFG: "nr5g_band",(1-79)', '+QNWPREFCFG: "mode_pref",AUTO,LTE,NR5G', '+QNWPREFCFG: "nr5g_disable_mode",(0-2)');
  }
  if (c.form !== 'write' || c.args.length < 1) return ERROR;
  const key = unquote(c.args[0]).toLowerCase();
  if (!(key in prefs)) return ERROR;
  if (c.args.length === 1) return ok(`+QNWPREFCFG: "${key}",${prefs[key]}`);
  const value = c.args.slice(1).join(',').toUpperCase();
  if (key.endsWith('band')) {
    // An empty list (the module refuses emptying a band list) or anything but numbers: ERROR.
    if (!/^\d+(:\d+)*$/.test(value)) return ERROR;
  } else if (key === 'mode_pref') {
    if (!/^(AUTO|LTE|NR5G|LTE:NR5G|NR5G:LTE)$/.test(value)) return ERROR;
  } else if (key === 'nr5g_disable_mode') {
    if (!/^[0-2]$/.test(value)) return ERROR;
  }
  prefs[key] = value;
  setImmediate(() => m.tick());
  return ok();
};

/** AT+QCFG="nwscanmode"[,<mode>[,<effect>]]: 0 automatic, 1 GSM, 2 UMTS, 3 LTE only. */
export const qcfg: Handler = (m, c) => {
  if (m.profile.bandConfig !== 'qcfg') return ERROR;
  if (c.form === 'test') return ok('+QCFG: "nwscanmode",(0-3),(0,1)');
  if (c.form !== 'write' || unquote(c.args[0]).toLowerCase() !== 'nwscanmode') return ERROR;
  if (c.args.length === 1) return ok(`+QCFG: "nwscanmode",${m.nvm.nwscanmode}`);
  const mode = intArg(c.args, 1);
  const effect = c.args.length > 2 ? intArg(c.args, 2) : 1;
  if (![0, 1, 2, 3].includes(mode) || ![0, 1].includes(effect)) return ERROR;
  m.nvm.nwscanmode = mode;
  setImmediate(() => m.tick());
  return ok();
};

/**
 * AT+QNWLOCK="common/lte"[,<mode>[,<EARFCN>[,<PCI>]]]: 0 no lock, 1 lock to an EARFCN, 2 to an
 * EARFCN and PCI. Read: `+QNWLOCK: "common/lte",<mode>[,<EARFCN>[,<PCI>]]`.
 */
export const qnwlock: Handler = (m, c) => {
  if (m.profile.bandConfig !== 'qcfg') return ERROR;
  if (c.form !== 'write' || unquote(c.args[0]).toLowerCase() !== 'common/lte') return ERROR;
  const lock = m.nvm.lteLock;
  if (c.args.length === 1) {
    const tail = lock.mode === 0 ? '' : lock.mode === 1 ? `,${lock.earfcn}` : `,${lock.earfcn},${lock.pci}`;
    return ok(`+QNWLOCK: "common/lte",${lock.mode}${tail}`);
  }
  const mode = intArg(c.args, 1);
  const earfcn = intArg(c.args, 2);
  const pci = intArg(c.args, 3);
  if (mode === 0 && c.args.length === 2) m.nvm.lteLock = { mode: 0, earfcn: 0, pci: 0 };
  else if (mode === 1 && c.args.length === 3 && earfcn <= 262143) m.nvm.lteLock = { mode, earfcn, pci: 0 };
  else if (mode === 2 && c.args.length === 4 && earfcn <= 262143 && pci <= 503) m.nvm.lteLock = { mode, earfcn, pci };
  else return ERROR;
  setImmediate(() => m.tick());
  return ok();
};
