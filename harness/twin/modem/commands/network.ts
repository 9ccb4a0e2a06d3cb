// Power, operator selection, registration and signal: +CFUN, +COPS, +CREG family, +CSQ, +QNWINFO.
import { ERROR, ok, type Handler, type ModemCore } from '../core.js';
import { copsAct, hasDomain, location } from '../registration.js';
import { lteCellOf, lteRssiDbm } from '../servingcell.js';
import type { Domain } from '../settings.js';
import { intArg, unquote } from '../syntax.js';
import { LTE_TDD_BANDS, NR_TDD_BANDS, bandNumber, clamp } from '../tables.js';

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

/** The operator as <format> asks: 0 long alphanumeric, 1 short alphanumeric, 2 numeric. */
function operatorName(m: ModemCore, format: number): string {
  const camp = m.camp();
  if (format === 2) return camp.plmn;
  const name = camp.reading?.operator ?? camp.plmn;
  return format === 0 ? name.toUpperCase() : name;
}

/**
 * AT+COPS (TS 27.007 §7.3): mode 0 automatic, 1 manual (`AT+COPS=1,2,"00101"`), 2 deregister,
 * 3 set <format> only, 4 manual with automatic fallback. A manual choice camps only on a cell of
 * that PLMN when the air says which PLMN a cell has; otherwise it is accepted as the serving one.
 */
export const cops: Handler = (m, c) => {
  const nvm = m.nvm;
  if (c.form === 'read') {
    const camp = m.camp();
    if (!m.registeredDomain() || !camp.reading) return ok(`+COPS: ${nvm.copsMode}`);
    return ok(`+COPS: ${nvm.copsMode},${nvm.copsFormat},"${operatorName(m, nvm.copsFormat)}",${copsAct(camp)}`);
  }
  if (c.form === 'test') {
    const camp = m.camp();
    const r = camp.reading;
    const ops = camp.access && r ? `(2,"${r.operator.toUpperCase()}","${r.operator}","${camp.plmn}",${copsAct(camp)}),` : '';
    return ok(`+COPS: ${ops},(0-4),(0-2)`);
  }
  if (c.form !== 'write') return ERROR;
  const mode = intArg(c.args, 0);
  const format = c.args.length > 1 ? intArg(c.args, 1) : nvm.copsFormat;
  if (![0, 1, 2, 3, 4].includes(mode) || ![0, 1, 2].includes(format)) return ERROR;
  if (mode === 3) {
    nvm.copsFormat = format;
    return ok();
  }
  if (nvm.cfun !== 1) return [m.cme(3)];
  if (mode === 1 || mode === 4) return manualSelection(m, mode, format, unquote(c.args[2]));
  nvm.copsMode = mode;
  nvm.copsPlmn = null;
  if (c.args.length > 1) nvm.copsFormat = format;
  if (mode === 2) m.deactivateAll('ME');
  m.tick();
  return ok();
};

function manualSelection(m: ModemCore, mode: number, format: number, oper: string): string[] {
  const nvm = m.nvm;
  let plmn: string;
  if (format === 2) {
    if (!/^\d{5,6}$/.test(oper)) return ERROR;
    plmn = oper;
  } else {
    // By name: only the operator whose cell the modem sees can be named.
    const r = m.camp().reading;
    if (!r || oper.toUpperCase() !== r.operator.toUpperCase()) return [m.cme(30)];
    plmn = m.camp().plmn;
  }
  const before = { mode: nvm.copsMode, plmn: nvm.copsPlmn };
  nvm.copsMode = 1;
  nvm.copsPlmn = plmn;
  nvm.copsFormat = format;
  if (!m.camp().plmnOk) {
    if (mode === 4) {
      nvm.copsMode = 0; // manual failed: automatic
      nvm.copsPlmn = null;
    } else {
      m.tick();
      return [m.cme(30)];
    }
  }
  if (before.plmn !== nvm.copsPlmn || before.mode !== nvm.copsMode) m.deactivateAll('ME');
  m.tick();
  return ok();
}

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
