// What a twin modem remembers: settings saved in NVM (survive a reboot) and the volatile ones
// a power-on resets.
import type { ModemProfile } from './profiles.js';

export type Domain = 'CREG' | 'CGREG' | 'CEREG' | 'C5GREG';
export const DOMAINS: readonly Domain[] = ['CREG', 'CGREG', 'CEREG', 'C5GREG'];

const DEFAULT_LTE_BANDS = '1:2:3:4:5:7:8:12:13:14:17:18:19:20:25:26:28:29:30:32:34:38:39:40:41:42:43:46:48:66:71';
const DEFAULT_NR_BANDS = '1:2:3:5:7:8:12:13:14:18:20:25:26:28:29:30:38:40:41:46:48:66:70:71:75:76:77:78:79';

/** Saved settings (AT+QNWPREFCFG, AT+QCFG, AT+QNWLOCK, AT+CGDCONT, CFUN, COPS). */
export interface NvmSettings {
  cfun: number;
  /** AT+COPS <mode>: 0 automatic, 1 manual, 2 deregistered; <format> for the read form. */
  copsMode: number;
  copsFormat: number;
  /** The PLMN chosen by AT+COPS=1 (numeric), null in automatic mode. */
  copsPlmn: string | null;
  contexts: Map<number, { type: string; apn: string }>;
  /** AT+QNWPREFCFG keys (RM5xx). */
  prefs: Record<string, string>;
  /** AT+QCFG="nwscanmode" (EG25): 0 automatic, 1 GSM, 2 UMTS, 3 LTE only. */
  nwscanmode: number;
  /** AT+QNWLOCK="common/lte" (EG25): 0 off, 1 EARFCN, 2 EARFCN and PCI. */
  lteLock: { mode: number; earfcn: number; pci: number };
}

/** Settings a power-on resets. */
export interface VolatileSettings {
  echo: boolean;
  cmee: number;
  regN: Record<Domain, number>;
  cgerep: number;
  active: Set<number>;
  /** Registration stat as last reported, per domain. */
  stat: Record<Domain, number>;
  campedSince: number;
}

export function factoryNvm(p: ModemProfile): NvmSettings {
  return {
    cfun: 1,
    copsMode: 0,
    copsFormat: 0,
    copsPlmn: null,
    contexts: new Map(p.contexts.map((c) => [c.cid, { type: c.type, apn: c.apn }])),
    prefs: {
      lte_band: DEFAULT_LTE_BANDS,
      nsa_nr5g_band: DEFAULT_NR_BANDS,
      nr5g_band: DEFAULT_NR_BANDS,
      mode_pref: 'AUTO',
      nr5g_disable_mode: p.nr5gDisableMode,
    },
    nwscanmode: 0,
    lteLock: { mode: 0, earfcn: 0, pci: 0 },
  };
}

export function powerOnVolatile(): VolatileSettings {
  return {
    echo: true,
    cmee: 0,
    regN: { CREG: 0, CGREG: 0, CEREG: 0, C5GREG: 0 },
    cgerep: 0,
    active: new Set(),
    stat: { CREG: 0, CGREG: 0, CEREG: 0, C5GREG: 0 },
    campedSince: 0,
  };
}
