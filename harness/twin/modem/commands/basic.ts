// V.250 basics and identity: E, I, Z, &F, +CGMI/+CGMM/+CGMR/+CGSN/+CIMI, +CPIN, +CMEE.
import { ERROR, ok, type Handler } from '../core.js';
import { intArg } from '../syntax.js';

export const echo: Handler = (m, c) => {
  if (c.tail === '' || c.tail === '0') m.vol.echo = false;
  else if (c.tail === '1') m.vol.echo = true;
  else return ERROR;
  return ok();
};

export const info: Handler = (m, c) => {
  if (c.form !== 'exec' || (c.tail !== '' && c.tail !== '0')) return ERROR;
  return ok(m.cfg.manufacturer, m.profile.atiModel, `Revision: ${m.revision()}`);
};

/** ATZ / AT&F: the volatile settings back to their defaults. */
export const reset: Handler = (m, c) => {
  if (c.form !== 'exec') return ERROR;
  m.vol.echo = true;
  m.vol.cmee = 0;
  return ok();
};

/** Execute-only commands answering one bare line. */
export const bare =
  (value: (m: Parameters<Handler>[0]) => string): Handler =>
  (m, c) =>
    c.form === 'exec' ? ok(value(m)) : c.form === 'test' ? ok() : ERROR;

export const imsi: Handler = (m, c) => {
  if (c.form !== 'exec') return c.form === 'test' ? ok() : ERROR;
  return m.nvm.cfun === 0 ? [m.cme(13)] : ok(m.imsi());
};

export const pin: Handler = (m, c) => {
  if (c.form === 'read') return m.nvm.cfun === 0 ? [m.cme(13)] : ok('+CPIN: READY');
  return ERROR;
};

export const cmee: Handler = (m, c) => {
  if (c.form === 'read') return m.profile.cmeeReadRefused ? ERROR : ok(`+CMEE: ${m.vol.cmee}`);
  if (c.form === 'test') return ok('+CMEE: (0-2)');
  const n = intArg(c.args, 0);
  if (c.form === 'write' && [0, 1, 2].includes(n)) {
    m.vol.cmee = n;
    return ok();
  }
  return ERROR;
};
