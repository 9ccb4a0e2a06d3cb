// Packet data (TS 27.007 §10.1): +CGDCONT, +CGACT, +CGPADDR, +CGEREP. Read forms list only
// defined contexts, so a modem with none answers a bare OK (fact sheet §1, Data session).
import { ERROR, ok, type Handler } from '../core.js';
import { intArg, unquote } from '../syntax.js';

const cidsOf = (contexts: Map<number, unknown>) => [...contexts.keys()].sort((a, b) => a - b);

export const cgdcont: Handler = (m, c) => {
  const contexts = m.nvm.contexts;
  if (c.form === 'read') return ok(...cidsOf(contexts).map((cid) => `+CGDCONT: ${cid},"${contexts.get(cid)!.type}","${contexts.get(cid)!.apn}","0.0.0.0",0,0,0,0`));
  if (c.form === 'test') return ok('+CGDCONT: (1-15),"IP",,,(0-2),(0-4),(0-1),(0-1)');
  if (c.form !== 'write') return ERROR;
  const cid = intArg(c.args, 0);
  if (!(cid >= 1 && cid <= 15)) return ERROR;
  if (m.vol.active.has(cid)) return [m.cme(3)]; // cannot redefine an active context
  if (c.args.length === 1) {
    contexts.delete(cid);
    return ok();
  }
  const type = unquote(c.args[1]).toUpperCase();
  if (!['IP', 'IPV6', 'IPV4V6'].includes(type)) return ERROR;
  contexts.set(cid, { type, apn: unquote(c.args[2]) });
  return ok();
};

export const cgact: Handler = (m, c) => {
  const { contexts } = m.nvm;
  const active = m.vol.active;
  if (c.form === 'read') return ok(...cidsOf(contexts).map((cid) => `+CGACT: ${cid},${active.has(cid) ? 1 : 0}`));
  if (c.form === 'test') return ok('+CGACT: (0,1)');
  if (c.form !== 'write') return ERROR;
  const state = intArg(c.args, 0);
  if (state !== 0 && state !== 1) return ERROR;
  const cids = c.args.length > 1 ? c.args.slice(1).map((_, i) => intArg(c.args, i + 1)) : cidsOf(contexts);
  if (cids.some((cid) => !contexts.has(cid))) return [m.cme(3)];
  if (state === 0) {
    for (const cid of cids) if (active.delete(cid) && m.vol.cgerep > 0) m.urcLater(`+CGEV: ME PDN DEACT ${cid}`);
    return ok();
  }
  if (!m.registeredDomain()) return [m.cme(30)];
  for (const cid of cids) {
    if (active.has(cid)) continue;
    active.add(cid);
    if (m.vol.cgerep > 0) m.urcLater(`+CGEV: ME PDN ACT ${cid}`);
  }
  return ok();
};

/** AT+CGPADDR[=<cid>,...]: one line per defined context asked for (undefined ones are left out). */
export const cgpaddr: Handler = (m, c) => {
  const { contexts } = m.nvm;
  if (c.form === 'test') return ok(`+CGPADDR: (${cidsOf(contexts).join(',')})`);
  if (c.form !== 'write' && c.form !== 'exec') return ERROR;
  const asked = c.form === 'write' ? c.args.map((_, i) => intArg(c.args, i)) : cidsOf(contexts);
  if (asked.some((cid) => !(cid >= 1 && cid <= 15))) return ERROR;
  const lines = asked.filter((cid) => contexts.has(cid)).map((cid) => (m.vol.active.has(cid) ? `+CGPADDR: ${cid},"${m.address(cid)}"` : `+CGPADDR: ${cid}`));
  return ok(...lines);
};

export const cgerep: Handler = (m, c) => {
  if (c.form === 'read') return ok(`+CGEREP: ${m.vol.cgerep},0`);
  if (c.form === 'test') return ok('+CGEREP: (0-2),(0-1)');
  const n = c.form === 'exec' ? 0 : intArg(c.args, 0);
  if (c.form === 'write' && ![0, 1, 2].includes(n)) return ERROR;
  m.vol.cgerep = n;
  return ok();
};
