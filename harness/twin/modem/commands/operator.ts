// Operator selection: AT+COPS (TS 27.007 §7.3), automatic or manual by numeric PLMN.
import { ERROR, ok, type Handler, type ModemCore } from '../core.js';
import { copsAct } from '../registration.js';
import { intArg, unquote } from '../syntax.js';

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
