// Power, registration and signal: +CFUN, +CREG family, +CSQ, +QNWINFO.
import { ERROR, ok, type Handler } from '../core.js';
import { hasDomain, location } from '../registration.js';
import { lteCellOf, lteRssiDbm } from '../servingcell.js';
import type { Domain } from '../settings.js';
import { intArg } from '../syntax.js';
import { LTE_TDD_BANDS, NR_TDD_BANDS } from '../../../nr/index.js';
import { bandNumber, clamp } from '../tables.js';

export const cfun: Handler = (m, c) => {
  if (c.form === 'read') return ok(`+CFUN: ${m.nvm.cfun}`);
  if (c.form === 'test') return ok('+CFUN: (0,1,4),(0-1)');
  if (c.form !== 'write') return ERROR;
  const fun = intArg(c.args, 0);
  const rst = c.args.length > 1 ? intArg(c.args, 1) : 0;
  if (![0, 1, 4].includes(fun) || ![0, 1].includes(rst)) return ERROR;
  const was = m.nvm.cfun;
  if (rst === 1) {
    // Reset: answer OK, then go deaf for rebootMs, boot with full functionality and announce.
    m.nvm.cfun = 1;
    m.requestReboot();
    return ok();
  }
  m.nvm.cfun = fun;
  if (fun !== 1) m.deactivateAll('ME');
  if (fun === 1 && was !== 1) m.simUrcsSoon();
  m.tick();
  return ok();
};

export const registration =
  (d: Domain): Handler =>
  (m, c) => {
    if (!hasDomain(m, d)) return ERROR;
    if (c.form === 'test') return ok(`+${d}: (0-2)`);
    if (c.form === 'write' || c.form === 'exec') {
      const n = c.form === 'exec' ? 0 : intArg(c.args, 0);
      if (![0, 1, 2].includes(n)) return ERROR;
      m.vol.regN[d] = n;
      return ok();
    }
    m.tick();
    const n = m.vol.regN[d];
    const stat = m.vol.stat[d];
    const loc = n === 2 && (stat === 1 || stat === 5) ? location(m, m.camp(), d) : '';
    return ok(`+${d}: ${n},${stat}${loc}`);
  };

/** AT+CSQ: from the LTE cell (the anchor in EN-DC); 99,99 on NR alone (not for 5G on RM5xx). */
export const csq: Handler = (m, c) => {
  if (c.form === 'test') return ok('+CSQ: (0-31,99),(0-7,99)');
  if (c.form !== 'exec') return ERROR;
  const lte = lteCellOf(m.camp(), m.cfg);
  if (!lte) return ok('+CSQ: 99,99');
  return ok(`+CSQ: ${clamp(Math.round((lteRssiDbm(lte) + 113) / 2), 0, 31)},99`);
};

export const qnwinfo: Handler = (m, c) => {
  if (c.form !== 'exec') return ERROR;
  const camp = m.camp();
  const r = camp.reading;
  if (!camp.access || !r || !m.registeredDomain()) return ok('+QNWINFO: No Service');
  if (camp.access === 'SA') {
    const n = bandNumber(r.band);
    return ok(`+QNWINFO: "${NR_TDD_BANDS.has(n) ? 'TDD' : 'FDD'} NR5G","${camp.plmn}","NR5G BAND ${n}",${r.arfcn}`);
  }
  const lte = lteCellOf(camp, m.cfg)!;
  return ok(`+QNWINFO: "${LTE_TDD_BANDS.has(lte.band) ? 'TDD' : 'FDD'} LTE","${camp.plmn}","LTE BAND ${lte.band}",${lte.earfcn}`);
};
