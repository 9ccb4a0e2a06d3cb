// Registration as TS 27.007 reports it (+CREG/+CGREG/+CEREG/+C5GREG), and its changes as URCs.
import type { Camp } from './camp.js';
import type { ModemCore } from './core.js';
import { cellIdHex } from './identity.js';
import { lteCellOf } from './servingcell.js';
import { DOMAINS, type Domain } from './settings.js';

/** The domains a model answers (EG25 has no 5G: AT+C5GREG is an error there). */
export function hasDomain(m: ModemCore, d: Domain): boolean {
  return d !== 'C5GREG' || m.profile.nr;
}

/** `,"<tac>","<ci>",<AcT>` of a registration line in domain d. */
export function location(m: ModemCore, camp: Camp, d: Domain): string {
  const r = camp.reading;
  if (!r || !camp.access) return '';
  if (d === 'C5GREG') return `,"${m.cfg.tac.padStart(6, '0').toUpperCase()}","${cellIdHex(r.cellId, 'NR', r.pci)}",11`;
  const lte = lteCellOf(camp, m.cfg);
  if (!lte) return '';
  const act = camp.access === 'ENDC' ? 13 : 7;
  return `,"${m.cfg.tac.slice(-4).padStart(4, '0').toUpperCase()}","${cellIdHex(lte.cellId, 'LTE', lte.pci)}",${act}`;
}

/** `+COPS` <AcT>: 7 E-UTRAN, 12 NG-RAN, 13 EN-DC. */
export function copsAct(camp: Camp): number {
  return camp.access === 'SA' ? 12 : camp.access === 'ENDC' ? 13 : 7;
}

/**
 * Re-evaluate registration: stat per domain from the camp and COPS; URCs for what changed
 * (when enabled); a lost registration drops the data sessions.
 */
export function updateRegistration(m: ModemCore, camp: Camp, urc: (line: string) => void): void {
  const now = Date.now();
  const vol = m.vol;
  if (camp.access) {
    if (vol.campedSince === 0) vol.campedSince = now;
  } else vol.campedSince = 0;
  const { cfun, copsMode } = m.nvm;
  const selecting = copsMode === 0 || copsMode === 1;
  const searching = cfun === 1 && selecting;
  const registered = camp.access !== null && selecting && camp.plmnOk && now - vol.campedSince >= m.cfg.registerMs;
  const sa = camp.access === 'SA';
  const next: Record<Domain, number> = {
    CREG: 0,
    CGREG: 0,
    CEREG: registered ? (sa ? 0 : 1) : searching ? 2 : 0,
    C5GREG: registered ? (sa ? 1 : 0) : searching ? 2 : 0,
  };
  const lost = m.registeredDomain() !== null && !registered;
  for (const d of DOMAINS) {
    if (next[d] === vol.stat[d]) continue;
    vol.stat[d] = next[d];
    const n = vol.regN[d];
    if (n === 0 || !hasDomain(m, d)) continue;
    const loc = n === 2 && (next[d] === 1 || next[d] === 5) ? location(m, camp, d) : '';
    urc(`+${d}: ${next[d]}${loc}`);
  }
  if (lost && vol.active.size > 0) m.deactivateAll('NW');
}
