// srsRAN Project JSON metrics to what KPM needs (facts/RAN.md §1.2, §5): the scheduler's
// `cells` report per cell, its UEs and its UE events. 25.10 frames (WebSocket, flat ue_list)
// and the 25.04 shape (UDP, `ue_container` / `cell_events` wrappers) come out the same.
// Keys in any order, floats as printed; a field that is not there stays absent.

export interface UeSample {
  rnti: number;
  /** dl_brate / ul_brate are bit/s in the code: kbit/s here. */
  dlKbps: number;
  ulKbps: number;
  cqi?: number;
  /** pusch_snr_db: an uplink SNR, never an RSRP. */
  puschSnrDb?: number;
  /** dl_bs: bytes waiting in the UE's downlink buffer after the scheduler ran; absent when not carried. */
  dlBufferBytes?: number;
}

export interface CellSample {
  pci?: number;
  /** PRBs used per slot, from pdsch/pusch_prbs_used_per_tdd_slot_idx (the busiest slot); absent when not carried. */
  prbUsedDl?: number;
  prbUsedUl?: number;
  ues: UeSample[];
  events: { rnti: number; type: string }[];
}

export type Frame =
  | { kind: 'cells'; cells: CellSample[] }
  | { kind: 'reply'; cmd: string; error?: string }
  | { kind: 'other'; name: string }
  | { kind: 'unknown'; why: string };

/** Message kinds the gNB sends besides `cells` (§1.2, §5): read and ignored. */
const OTHER_KINDS = ['du', 'rlc_metrics', 'cu-up', 'cu-cp', 'du_low', 'ru', 'app_resource_usage', 'executor_metrics', 'buffer_pool'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function slotsMax(v: unknown): number | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const xs = v.map(num).filter((x): x is number => x !== undefined);
  return xs.length ? Math.max(...xs) : undefined;
}

function ueOf(raw: unknown): UeSample | null {
  const u = isObj(raw) && isObj(raw.ue_container) ? raw.ue_container : raw;
  if (!isObj(u)) return null;
  const rnti = num(u.rnti);
  if (rnti === undefined) return null;
  const cqi = num(u.cqi);
  const snr = num(u.pusch_snr_db);
  const dlBs = num(u.dl_bs);
  return {
    rnti,
    dlKbps: (num(u.dl_brate) ?? 0) / 1000,
    ulKbps: (num(u.ul_brate) ?? 0) / 1000,
    // 25.04 prints cqi 0 when there were no reports: no report, not CQI 0.
    ...(cqi !== undefined && cqi > 0 ? { cqi: Math.round(cqi) } : {}),
    ...(snr !== undefined && snr !== 0 ? { puschSnrDb: snr } : {}),
    ...(dlBs !== undefined && dlBs >= 0 ? { dlBufferBytes: dlBs } : {}),
  };
}

function eventOf(raw: unknown): { rnti: number; type: string } | null {
  const e = isObj(raw) && isObj(raw.cell_events) ? raw.cell_events : raw;
  if (!isObj(e) || num(e.rnti) === undefined || typeof e.event_type !== 'string') return null;
  return { rnti: num(e.rnti)!, type: e.event_type };
}

function cellOf(raw: unknown): CellSample | null {
  if (!isObj(raw) || !isObj(raw.cell_metrics)) return null;
  const m = raw.cell_metrics;
  const ues = Array.isArray(raw.ue_list) ? raw.ue_list.map(ueOf).filter((u): u is UeSample => u !== null) : [];
  const events = Array.isArray(raw.event_list) ? raw.event_list.map(eventOf).filter((e): e is { rnti: number; type: string } => e !== null) : [];
  const pci = num(m.pci);
  const dl = slotsMax(m.pdsch_prbs_used_per_tdd_slot_idx);
  const ul = slotsMax(m.pusch_prbs_used_per_tdd_slot_idx);
  return { ...(pci === undefined ? {} : { pci }), ...(dl === undefined ? {} : { prbUsedDl: dl }), ...(ul === undefined ? {} : { prbUsedUl: ul }), ues, events };
}

/** One message as received (a WebSocket TEXT frame or a UDP datagram). */
export function parseFrame(text: string): Frame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { kind: 'unknown', why: `not JSON (${(err as Error).message.slice(0, 80)})` };
  }
  if (!isObj(v)) return { kind: 'unknown', why: 'not a JSON object' };
  if (typeof v.cmd === 'string' || typeof v.error === 'string') return { kind: 'reply', cmd: typeof v.cmd === 'string' ? v.cmd : '', ...(typeof v.error === 'string' ? { error: v.error } : {}) };
  if (Array.isArray(v.cells)) {
    const cells = v.cells.map(cellOf);
    if (cells.some((c) => c === null)) return { kind: 'unknown', why: 'a cells report whose entries have no cell_metrics' };
    return { kind: 'cells', cells: cells as CellSample[] };
  }
  // ≤ 25.04 (srslog over UDP): one object per cell.
  if (isObj(v.cell_metrics)) return { kind: 'cells', cells: [cellOf(v)!] };
  const name = OTHER_KINDS.find((k) => k in v);
  if (name) return { kind: 'other', name };
  return { kind: 'unknown', why: `keys ${Object.keys(v).slice(0, 8).join(', ')}` };
}
