// Which cell the modem can use now, and how: from the air reading (the twin base station's
// output, twin/air.ts) and the modem's own settings (RAT preference, band lists, locks, COPS).
import type { AirUeReading } from '../air.js';
import type { TwinModemSettings } from './config.js';
import type { ModemProfile } from './profiles.js';
import type { NvmSettings } from './settings.js';
import { bandNumber } from './tables.js';

/** SA: NR standalone; LTE; ENDC: the air's NR cell as the secondary leg of an LTE anchor. */
export type Access = 'SA' | 'LTE' | 'ENDC';

export interface Camp {
  reading: AirUeReading | null;
  /** null: no usable cell (radio off, no service, RAT or band not allowed). */
  access: Access | null;
  /** The serving PLMN as printed: the air's when it says, else the manually chosen or the home one. */
  plmn: string;
  /** Registration allowed: automatic selection, or the manual choice matches (or is unknowable). */
  plmnOk: boolean;
}

/** The air file is another process's output: use it only if it has the documented shape. */
export function validReading(r: AirUeReading): boolean {
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  return (
    (r.rat === 'NR' || r.rat === 'LTE') &&
    typeof r.band === 'string' &&
    typeof r.cellId === 'string' &&
    typeof r.operator === 'string' &&
    typeof r.inService === 'boolean' &&
    [r.pci, r.arfcn, r.bandwidthMHz, r.scsKHz, r.rsrpDbm, r.rsrqDb, r.sinrDb, r.cqi].every(finite)
  );
}

/** The cell's PLMN if the air names one (an optional `plmn`, 5 or 6 digits); null when unknown. */
function airPlmn(r: AirUeReading): string | null {
  const p: unknown = (r as AirUeReading & { plmn?: unknown }).plmn;
  return typeof p === 'string' && /^\d{5,6}$/.test(p) ? p : null;
}

const inList = (list: string, band: number) => list.split(':').map(Number).includes(band);

function access(r: AirUeReading, p: ModemProfile, nvm: NvmSettings, cfg: TwinModemSettings): Access | null {
  const band = bandNumber(r.band);
  if (p.bandConfig === 'qcfg') {
    // EG25: LTE only; nwscanmode 0 (auto) or 3 (LTE only); the cell lock, if set, must match.
    const lock = nvm.lteLock;
    const locked = (lock.mode >= 1 && lock.earfcn !== r.arfcn) || (lock.mode === 2 && lock.pci !== r.pci);
    return r.rat === 'LTE' && p.lte && (nvm.nwscanmode === 0 || nvm.nwscanmode === 3) && !locked ? 'LTE' : null;
  }
  const { mode_pref: mode, nr5g_disable_mode: disable } = nvm.prefs;
  const lteOk = mode === 'AUTO' || mode.includes('LTE');
  const nrOk = mode === 'AUTO' || mode.includes('NR5G');
  if (r.rat === 'LTE') return p.lte && lteOk && inList(nvm.prefs.lte_band, band) ? 'LTE' : null;
  if (!p.nr) return null;
  if (disable !== '1') return nrOk && inList(nvm.prefs.nr5g_band, band) ? 'SA' : null;
  // SA off: the NR cell is reached through the LTE anchor (the twin network offers one to such a modem).
  const endc = lteOk && nrOk && inList(nvm.prefs.nsa_nr5g_band, band) && inList(nvm.prefs.lte_band, cfg.lteAnchor.band);
  return endc ? 'ENDC' : null;
}

export interface CampInput {
  reading: AirUeReading | null;
  profile: ModemProfile;
  nvm: NvmSettings;
  cfg: TwinModemSettings;
  rebooting: boolean;
}

export function campOn({ reading, profile, nvm, cfg, rebooting }: CampInput): Camp {
  const home = `${cfg.mcc}${cfg.mnc}`;
  const chosen = nvm.copsMode === 1 ? nvm.copsPlmn : null;
  if (!reading || !validReading(reading)) return { reading: null, access: null, plmn: chosen ?? home, plmnOk: false };
  const known = airPlmn(reading);
  const plmn = known ?? chosen ?? home;
  const plmnOk = nvm.copsMode === 0 || (nvm.copsMode === 1 && (known === null || known === chosen));
  const fresh = cfg.staleAfterMs === 0 || Date.now() - Number(reading.updatedNs) / 1e6 <= cfg.staleAfterMs;
  const usable = nvm.cfun === 1 && !rebooting && fresh && reading.inService;
  return { reading, access: usable ? access(reading, profile, nvm, cfg) : null, plmn, plmnOk };
}
