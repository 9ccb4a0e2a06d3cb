// Command name → handler. Anything not here answers ERROR, as a module does.
import { bare, cmee, echo, imsi, info, pin, reset } from './commands/basic.js';
import { cgact, cgdcont, cgerep, cgpaddr } from './commands/data.js';
import { cfun, csq, qnwinfo, registration } from './commands/network.js';
import { cops } from './commands/operator.js';
import { qcfg, qeng, qnwlock, qnwprefcfg } from './commands/vendor.js';
import { ERROR, ok, type Handler, type ModemCore } from './core.js';
import { parseAtBody } from './syntax.js';

const manufacturer = bare((m) => m.cfg.manufacturer);
const model = bare((m) => m.profile.atiModel);
const revision = bare((m) => m.revision());
const imei = bare((m) => m.imei());

const HANDLERS: Readonly<Record<string, Handler>> = {
  E: echo,
  I: info,
  Z: reset,
  '&F': reset,
  '+CGMI': manufacturer,
  '+GMI': manufacturer,
  '+CGMM': model,
  '+GMM': model,
  '+CGMR': revision,
  '+GMR': revision,
  '+CGSN': imei,
  '+GSN': imei,
  '+CIMI': imsi,
  '+CPIN': pin,
  '+CMEE': cmee,
  '+CFUN': cfun,
  '+COPS': cops,
  '+CREG': registration('CREG'),
  '+CGREG': registration('CGREG'),
  '+CEREG': registration('CEREG'),
  '+C5GREG': registration('C5GREG'),
  '+CSQ': csq,
  '+QENG': qeng,
  '+QNWINFO': qnwinfo,
  '+QNWPREFCFG': qnwprefcfg,
  '+QCFG': qcfg,
  '+QNWLOCK': qnwlock,
  '+CGDCONT': cgdcont,
  '+CGACT': cgact,
  '+CGPADDR': cgpaddr,
  '+CGEREP': cgerep,
};

/** The reply lines (information lines, then the final result code) of the body after `AT`. */
export function dispatch(m: ModemCore, body: string): string[] {
  if (body === '') return ok();
  const line = parseAtBody(body);
  const handler = line ? HANDLERS[line.name] : undefined;
  return line && handler ? handler(m, line) : ERROR;
}
