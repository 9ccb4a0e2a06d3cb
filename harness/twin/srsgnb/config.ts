// The stand-in gNB's reading of an srsRAN Project gNB YAML (facts/RAN.md §1.3, §1.1, §1.2,
// §5), written from the fact sheet and nothing else: it takes what the real gNB takes and
// refuses what it refuses (a dl_arfcn outside the band, a bandwidth that is not standard,
// slice ratios out of order, no AMF and no no_core, ...). The real gNB's wording of these
// errors is not on the fact sheet; these say what was wrong and where.
import { parse } from 'yaml';

export class StandinConfigError extends Error {}

export interface StandinSlice {
  sst: number;
  sd?: number;
  minRatio: number;
  maxRatio: number;
}

export interface StandinConfig {
  plmn: string;
  tac: number;
  pci: number;
  band: number;
  dlArfcn: number;
  /** The carrier centre from dl_arfcn (TS 38.104 §5.4.2.1), MHz. */
  dlFreqMHz: number;
  bandwidthMHz: number;
  scsKHz: 15 | 30;
  slices: StandinSlice[];
  remote: { enabled: boolean; bindAddr: string; port: number };
  enableJson: boolean;
  duReportPeriodMs: number;
  noCore: boolean;
  amf?: { addr: string; port: number };
  deviceDriver: string;
}

/** Resource blocks per channel bandwidth (TS 38.101-1 Table 5.3.2-1), FR1. */
const NRB: Record<number, Record<number, number>> = {
  15: { 5: 25, 10: 52, 15: 79, 20: 106, 25: 133, 30: 160, 40: 216, 50: 270 },
  30: { 5: 11, 10: 24, 15: 38, 20: 51, 25: 65, 30: 78, 40: 106, 50: 133, 60: 162, 70: 189, 80: 217, 90: 245, 100: 273 },
};

export function nrbOf(bandwidthMHz: number, scsKHz: number): number {
  return NRB[scsKHz]?.[bandwidthMHz] ?? 0;
}

/** Downlink frequency ranges of the bands this stand-in knows (TS 38.104 Table 5.2-1), MHz. */
const BANDS: Record<number, [number, number]> = { 3: [1805, 1880], 7: [2620, 2690], 41: [2496, 2690], 46: [5150, 5925], 77: [3300, 4200], 78: [3300, 3800], 79: [4400, 5000] };

/** F_REF from NR-ARFCN (TS 38.104 §5.4.2.1). */
export function arfcnToMHz(n: number): number {
  if (n < 600_000) return n * 0.005;
  if (n < 2_016_667) return 3000 + (n - 600_000) * 0.015;
  return 24250.08 + (n - 2_016_667) * 0.06;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown, at: string): Obj => {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new StandinConfigError(`${at}: expected a mapping`);
  return v as Obj;
};
const num = (v: unknown, at: string, min: number, max: number, dflt?: number): number => {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StandinConfigError(`${at}: expected a number, got ${JSON.stringify(v)}`);
  if (v < min || v > max) throw new StandinConfigError(`${at}: Value ${v} not in range [${min} - ${max}]`);
  return v;
};

export function parseStandinYaml(text: string): StandinConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new StandinConfigError(`the configuration is not valid YAML: ${(err as Error).message}`);
  }
  const top = obj(raw, '(top level)');
  const cell = obj(top.cell_cfg, 'cell_cfg');
  const band = num(cell.band, 'cell_cfg.band', 1, 1024);
  const range = BANDS[band];
  if (!range) throw new StandinConfigError(`cell_cfg.band: band n${band} is not supported`);
  const dlArfcn = num(cell.dl_arfcn, 'cell_cfg.dl_arfcn', 0, 3_279_165);
  const scsKHz = num(cell.common_scs, 'cell_cfg.common_scs', 15, 30) as 15 | 30;
  if (scsKHz !== 15 && scsKHz !== 30) throw new StandinConfigError(`cell_cfg.common_scs: ${scsKHz} kHz is not an FR1 SCS (15 or 30)`);
  const bandwidthMHz = num(cell.channel_bandwidth_MHz, 'cell_cfg.channel_bandwidth_MHz', 5, 100, 20);
  if (!nrbOf(bandwidthMHz, scsKHz)) throw new StandinConfigError(`cell_cfg.channel_bandwidth_MHz: ${bandwidthMHz} MHz is not a channel bandwidth of ${scsKHz} kHz SCS`);
  const dlFreqMHz = arfcnToMHz(dlArfcn);
  if (dlFreqMHz - bandwidthMHz / 2 < range[0] - 1e-6 || dlFreqMHz + bandwidthMHz / 2 > range[1] + 1e-6)
    throw new StandinConfigError(`cell_cfg.dl_arfcn: ${dlArfcn} (${dlFreqMHz.toFixed(3)} MHz) with ${bandwidthMHz} MHz does not fit band n${band} (${range[0]}-${range[1]} MHz)`);
  const pci = num(cell.pci, 'cell_cfg.pci', 0, 1007, 1);
  const plmn = String(cell.plmn ?? '00101');
  if (!/^\d{5,6}$/.test(plmn)) throw new StandinConfigError(`cell_cfg.plmn: ${JSON.stringify(plmn)} is not MCC+MNC`);
  const tac = num(cell.tac, 'cell_cfg.tac', 0, 16_777_215, 7);
  const slicing = cell.slicing === undefined ? [] : cell.slicing;
  if (!Array.isArray(slicing)) throw new StandinConfigError('cell_cfg.slicing: expected a list');
  const slices = slicing.map((s, i): StandinSlice => {
    const at = `cell_cfg.slicing[${i}]`;
    const o = obj(s, at);
    const sched = obj(o.sched_cfg, `${at}.sched_cfg`);
    const minRatio = num(sched.min_prb_policy_ratio, `${at}.sched_cfg.min_prb_policy_ratio`, 0, 100, 0);
    const maxRatio = num(sched.max_prb_policy_ratio, `${at}.sched_cfg.max_prb_policy_ratio`, 0, 100, 100);
    const ded = num(sched.ded_prb_policy_ratio, `${at}.sched_cfg.ded_prb_policy_ratio`, 0, 100, 0);
    if (!(ded <= minRatio && minRatio <= maxRatio)) throw new StandinConfigError(`${at}.sched_cfg: expected ded_prb_policy_ratio <= min_prb_policy_ratio <= max_prb_policy_ratio, got ${ded}, ${minRatio}, ${maxRatio}`);
    const sd = o.sd === undefined ? undefined : num(o.sd, `${at}.sd`, 0, 0xffffff);
    return { sst: num(o.sst, `${at}.sst`, 0, 255), ...(sd === undefined ? {} : { sd }), minRatio, maxRatio };
  });
  const amf = obj(obj(top.cu_cp, 'cu_cp').amf, 'cu_cp.amf');
  const noCore = amf.no_core === true;
  if (!noCore && typeof amf.addr !== 'string') throw new StandinConfigError('cu_cp.amf: expected addr (the AMF) or no_core: true');
  const rc = obj(top.remote_control, 'remote_control');
  const metrics = obj(top.metrics, 'metrics');
  const periodicity = obj(metrics.periodicity, 'metrics.periodicity');
  const ru = obj(top.ru_sdr, 'ru_sdr');
  if (typeof ru.device_driver !== 'string') throw new StandinConfigError('ru_sdr.device_driver: expected uhd or zmq');
  num(ru.srate, 'ru_sdr.srate', 1, 250);
  return {
    plmn,
    tac,
    pci,
    band,
    dlArfcn,
    dlFreqMHz,
    bandwidthMHz,
    scsKHz,
    slices,
    remote: { enabled: rc.enabled === true, bindAddr: String(rc.bind_addr ?? '127.0.0.1'), port: num(rc.port, 'remote_control.port', 0, 65535, 8001) },
    enableJson: metrics.enable_json === true,
    duReportPeriodMs: num(periodicity.du_report_period, 'metrics.periodicity.du_report_period', 10, 60_000, 1000),
    noCore,
    ...(noCore ? {} : { amf: { addr: String(amf.addr), port: num(amf.port, 'cu_cp.amf.port', 1, 65535, 38412) } }),
    deviceDriver: ru.device_driver,
  };
}
