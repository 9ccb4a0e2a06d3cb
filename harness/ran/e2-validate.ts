// Everything a base-station agent sends is checked against the cell it claims before the
// controller uses it: an agent is a peer on the network, not a trusted part of the controller
// (an indication with NaN throughput, 10^300 kbit/s or another node's id must never reach
// InfluxDB or the ledger). A violation is an AgentProtocolError naming the agent and the field.
import { ComponentError } from '../errors.js';
import { cellBounds, LTE_SCS_KHZ, NR_SCS_KHZ, UE_RANGES, type CellBounds } from './bounds.js';
import type { CellInfo, KpmIndication, UeKpm } from './types.js';
import { KPM, type WireCell, type WireKpmIndication, type WireRecord, type WireSetupResponse } from '../wire/index.js';

/** An agent sent something no radio could have produced, or that is not its own to send. Exit 3. */
export class AgentProtocolError extends ComponentError {
  /** The offending field, as the wire names it (`cell_records[RRU.PrbUsedDl]`, `globalNodeId`). */
  readonly field: string;
  constructor(agent: string, field: string, what: string) {
    super(agent, `agent sent an invalid message: ${field}: ${what}`, 'PROTOCOL_ERROR');
    this.field = field;
  }
}

export const MAX_CELLS = 64;
export const MAX_UES_PER_INDICATION = 1024;
export const MAX_RECORDS = 64;
export const MAX_ID_LENGTH = 128;
/** Default bound on |agent clock - controller clock| for indication timestamps. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 10_000;

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.slice(0, 64)) : String(v));

export function str(bs: string, v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID_LENGTH) throw new AgentProtocolError(bs, field, `expected a string of 1..${MAX_ID_LENGTH} characters, got ${show(v)}`);
  return v;
}

export function finite(bs: string, v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new AgentProtocolError(bs, field, `expected a finite number, got ${show(v)}`);
  return v;
}

function within(bs: string, v: number, field: string, min: number, max: number, unit: string, why: string): number {
  if (v < min || v > max) throw new AgentProtocolError(bs, field, `${v}${unit} is outside ${min}..${max}${unit} (${why})`);
  return v;
}

function integerWithin(bs: string, v: number, field: string, min: number, max: number, why: string): number {
  if (!Number.isInteger(v)) throw new AgentProtocolError(bs, field, `expected an integer, got ${v}`);
  return within(bs, v, field, min, max, '', why);
}

export function uint64(bs: string, v: unknown, field: string): bigint {
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v) || BigInt(v) > 0xffff_ffff_ffff_ffffn) throw new AgentProtocolError(bs, field, `expected a uint64, got ${show(v)}`);
  return BigInt(v);
}

/** Records by name. Every value must be finite; noValue records are absent. */
function records(bs: string, list: unknown, field: string): Map<string, number> {
  if (!Array.isArray(list) || list.length > MAX_RECORDS) throw new AgentProtocolError(bs, field, `expected at most ${MAX_RECORDS} records`);
  const out = new Map<string, number>();
  for (const r of list as WireRecord[]) {
    const name = str(bs, r?.name, `${field}.name`);
    const at = `${field}[${name}]`;
    if (out.has(name)) throw new AgentProtocolError(bs, at, 'the record appears twice');
    if (r.value === 'noValue') continue;
    let v: number;
    if (r.value === 'integer') {
      if (!/^-?\d{1,19}$/.test(String(r.integer))) throw new AgentProtocolError(bs, at, `expected an int64, got ${show(r.integer)}`);
      v = Number(r.integer);
    } else if (r.value === 'real') v = finite(bs, r.real, at);
    else throw new AgentProtocolError(bs, at, 'the record has no value');
    out.set(name, v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// E2 Setup

/** One served cell: its numerology and carrier must be ones 3GPP defines, its PRB count the table's. */
export function checkSetupCell(bs: string, c: WireCell, i: number): CellInfo {
  const at = (f: string) => `cells[${i}].${f}`;
  if (!c || typeof c !== 'object') throw new AgentProtocolError(bs, `cells[${i}]`, 'not a message');
  const rat = c.rat === 'NR' || c.rat === 'LTE' ? c.rat : null;
  if (!rat) throw new AgentProtocolError(bs, at('rat'), `${show(c.rat)}, expected NR or LTE`);
  const scsKHz = finite(bs, c.scsKhz, at('scsKhz'));
  const allowed = rat === 'NR' ? NR_SCS_KHZ : LTE_SCS_KHZ;
  if (!allowed.includes(scsKHz)) throw new AgentProtocolError(bs, at('scsKhz'), `${scsKHz} kHz is not a ${rat} subcarrier spacing (${allowed.join(', ')} kHz)`);
  const bandwidthMHz = finite(bs, c.bandwidthMhz, at('bandwidthMhz'));
  const id = str(bs, c.cellId, at('cellId'));
  let bounds: CellBounds;
  try {
    bounds = cellBounds({ id, rat, bandwidthMHz, scsKHz });
  } catch (err) {
    throw new AgentProtocolError(bs, at('bandwidthMhz'), (err as Error).message);
  }
  const prbTotal = finite(bs, c.prbTotal, at('prbTotal'));
  if (prbTotal !== bounds.prbTotal) {
    throw new AgentProtocolError(bs, at('prbTotal'), `${prbTotal} PRBs, but a ${bandwidthMHz} MHz ${rat} carrier at ${scsKHz} kHz holds ${bounds.prbTotal}`);
  }
  const carrierMHz = within(bs, finite(bs, c.carrierMhz, at('carrierMhz')), at('carrierMhz'), 0.4, 100_000, ' MHz', 'a carrier frequency');
  const pci = integerWithin(bs, finite(bs, c.pci, at('pci')), at('pci'), 0, rat === 'NR' ? 1007 : 503, `${rat} physical cell identity`);
  return { id, rat, band: str(bs, c.band, at('band')), carrierMHz, bandwidthMHz, scsKHz, pci, prbTotal, on: c.on === true, grants: c.grants === 'CARRIER_AND_RATIO' ? 'carrier-and-ratio' : 'prb-range' };
}

/** What the rig says the agent at this address is. */
export interface ExpectedNode {
  nodeId: string;
  operator?: string;
  cells?: readonly { id: string; rat: 'NR' | 'LTE'; carrierMHz: number; bandwidthMHz: number; scsKHz: number }[];
}

/** Setup: the node must be the one the rig names, with the rig's cells and carriers. */
export function checkSetupAgainstRig(bs: string, res: WireSetupResponse, cells: CellInfo[], expected: ExpectedNode): void {
  if (res.globalNodeId !== expected.nodeId) {
    throw new AgentProtocolError(bs, 'globalNodeId', `the agent says it is ${show(res.globalNodeId)}, the rig expects ${JSON.stringify(expected.nodeId)} at this address`);
  }
  if (expected.operator !== undefined && res.operator !== expected.operator) {
    throw new AgentProtocolError(bs, 'operator', `the agent says its operator is ${show(res.operator)}, the rig says ${JSON.stringify(expected.operator)}`);
  }
  if (!expected.cells) return;
  const rigCells = new Map(expected.cells.map((c) => [c.id, c]));
  cells.forEach((c, i) => {
    const r = rigCells.get(c.id);
    if (!r) throw new AgentProtocolError(bs, `cells[${i}].cellId`, `cell ${show(c.id)} is not in the rig (${[...rigCells.keys()].join(', ')})`);
    const same = r.rat === c.rat && r.bandwidthMHz === c.bandwidthMHz && r.scsKHz === c.scsKHz && Math.abs(r.carrierMHz - c.carrierMHz) < 1e-3;
    // A carrier-and-ratio cell (srsRAN) may still be on a carrier a previous trial retuned it
    // to: any carrier inside the rig's (plus a raster step) is its own.
    const inside =
      c.grants === 'carrier-and-ratio' &&
      r.rat === c.rat &&
      r.scsKHz === c.scsKHz &&
      c.carrierMHz - c.bandwidthMHz / 2 >= r.carrierMHz - r.bandwidthMHz / 2 - 0.1 &&
      c.carrierMHz + c.bandwidthMHz / 2 <= r.carrierMHz + r.bandwidthMHz / 2 + 0.1;
    if (!same && !inside) {
      throw new AgentProtocolError(
        bs,
        `cells[${i}]`,
        `cell ${c.id} is ${c.rat} ${c.bandwidthMHz} MHz at ${c.carrierMHz} MHz, ${c.scsKHz} kHz; the rig says ${r.rat} ${r.bandwidthMHz} MHz at ${r.carrierMHz} MHz, ${r.scsKHz} kHz`,
      );
    }
  });
  for (const id of rigCells.keys()) if (!cells.some((c) => c.id === id)) throw new AgentProtocolError(bs, 'cells', `the rig's cell ${id} is missing`);
}

// ---------------------------------------------------------------------------------------
// RC control acknowledgements

/** When a control took effect: a uint64 within the clock skew of the controller's clock, from when it was sent until now. */
export function checkAckTime(bs: string, v: unknown, sentNs: bigint, now: bigint, maxClockSkewMs: number): bigint {
  const t = uint64(bs, v, 'effectiveTimeNs');
  const skewNs = BigInt(maxClockSkewMs) * 1_000_000n;
  if (t < sentNs - skewNs || t > now + skewNs) {
    throw new AgentProtocolError(bs, 'effectiveTimeNs', `${new Date(Number(t / 1_000_000n)).toISOString()} is not between sending the request and its answer (allowed: ${maxClockSkewMs} ms of clock skew)`);
  }
  return t;
}

// ---------------------------------------------------------------------------------------
// KPM indications

export interface IndicationContext {
  /** The node this connection belongs to (the rig's id for it). */
  nodeId: string;
  cells: ReadonlyMap<string, CellBounds>;
  /** The subscribed granularity period, ms. */
  periodMs: number;
  /** Bound on |collection start - controller clock| beyond the period itself. */
  maxClockSkewMs: number;
  /** The controller's clock, ns since the Unix epoch. */
  nowNs: () => bigint;
}

const optional = (v: number | undefined, check: (v: number) => number): number | undefined => (v === undefined ? undefined : check(v));

/** A checked indication, in the units of types.ts. */
export function checkIndication(bs: string, m: WireKpmIndication, ctx: IndicationContext): KpmIndication {
  if (!m || typeof m !== 'object') throw new AgentProtocolError(bs, 'indication', 'not a message');
  const nodeId = str(bs, m.globalNodeId, 'globalNodeId');
  if (nodeId !== ctx.nodeId) throw new AgentProtocolError(bs, 'globalNodeId', `indication for node ${show(nodeId)} on the connection of ${ctx.nodeId}`);
  const cellId = str(bs, m.cellId, 'cellId');
  const cell = ctx.cells.get(cellId);
  if (!cell) throw new AgentProtocolError(bs, 'cellId', `${show(cellId)} is not a cell of ${ctx.nodeId} (${[...ctx.cells.keys()].join(', ')})`);
  const periodMs = finite(bs, m.granularityPeriodMs, 'granularityPeriodMs');
  if (periodMs !== ctx.periodMs) throw new AgentProtocolError(bs, 'granularityPeriodMs', `${periodMs} ms, the subscription asked for ${ctx.periodMs} ms`);
  const ts = uint64(bs, m.collectionStartTimeNs, 'collectionStartTimeNs');
  const now = ctx.nowNs();
  const skewNs = BigInt(ctx.maxClockSkewMs) * 1_000_000n;
  const earliest = now - skewNs - 2n * BigInt(periodMs) * 1_000_000n;
  if (ts < earliest || ts > now + skewNs) {
    const offMs = Number((ts - now) / 1_000_000n);
    throw new AgentProtocolError(
      bs,
      'collectionStartTimeNs',
      `${new Date(Number(ts / 1_000_000n)).toISOString()} is ${offMs} ms from the controller's clock (allowed: ${ctx.maxClockSkewMs} ms of clock skew plus two periods)`,
    );
  }
  uint64(bs, m.sequence, 'sequence');
  const c = records(bs, m.cellRecords, 'cell_records');
  const prb = (name: string, v: number | undefined) =>
    v === undefined ? 0 : integerWithin(bs, v, `cell_records[${name}]`, 0, cell.prbTotal, `cell ${cellId} has ${cell.prbTotal} PRBs`);
  const prbAvailDl = prb(KPM.prbAvailDl, c.get(KPM.prbAvailDl));
  // PRB use stays absent when the agent cannot report it (settlement then counts the carrier).
  const prbUsedDl = optional(c.get(KPM.prbUsedDl), (v) => prb(KPM.prbUsedDl, v));
  if (prbUsedDl !== undefined && prbUsedDl > prbAvailDl && c.has(KPM.prbAvailDl)) {
    throw new AgentProtocolError(bs, `cell_records[${KPM.prbUsedDl}]`, `${prbUsedDl} PRBs used of ${prbAvailDl} available`);
  }
  const prbTotDlPct = within(bs, c.get(KPM.prbTotDl) ?? 0, `cell_records[${KPM.prbTotDl}]`, 0, 100, ' %', 'a share of the carrier');
  const peak = `the TS 38.306 peak rate of a ${cell.prbTotal}-PRB carrier, rounded up`;
  const peakKbps = Math.ceil(cell.peakKbps);
  const thpDlKbps = within(bs, c.get(KPM.ueThpDl) ?? 0, `cell_records[${KPM.ueThpDl}]`, 0, peakKbps, ' kbit/s', peak);

  if (!Array.isArray(m.ueRecords) || m.ueRecords.length > MAX_UES_PER_INDICATION) {
    throw new AgentProtocolError(bs, 'ue_records', `expected at most ${MAX_UES_PER_INDICATION} UEs`);
  }
  const seen = new Set<string>();
  const ues: UeKpm[] = m.ueRecords.map((u, i) => {
    const ueId = str(bs, u?.ueId, `ue_records[${i}].ueId`);
    if (seen.has(ueId)) throw new AgentProtocolError(bs, `ue_records[${i}].ueId`, `UE ${ueId} appears twice`);
    seen.add(ueId);
    const r = records(bs, u.records, `ue_records[${i}]`);
    const f = (name: string) => `ue_records[${i}][${name}]`;
    const cqi = r.get(KPM.cqi);
    return {
      ueId,
      thpDlKbps: within(bs, r.get(KPM.ueThpDl) ?? 0, f(KPM.ueThpDl), 0, peakKbps, ' kbit/s', peak),
      // Readings the agent does not have stay absent (srsRAN has no RSRP and no downlink SINR).
      prbUsedDl: optional(r.get(KPM.prbUsedDl), (v) => within(bs, v, f(KPM.prbUsedDl), 0, cell.prbTotal, '', `cell ${cellId} has ${cell.prbTotal} PRBs`)),
      cqi: optional(cqi, (v) => integerWithin(bs, v, f(KPM.cqi), UE_RANGES.cqi.min, UE_RANGES.cqi.max, 'the CQI index range')),
      sinrDb: optional(r.get(KPM.sinr), (v) => within(bs, v, f(KPM.sinr), UE_RANGES.sinrDb.min, UE_RANGES.sinrDb.max, ' dB', 'a wideband SINR')),
      rsrpDbm: optional(r.get(KPM.rsrp), (v) => within(bs, v, f(KPM.rsrp), UE_RANGES.rsrpDbm.min, UE_RANGES.rsrpDbm.max, ' dBm', 'an RSRP')),
      // Uplink: absent (undefined) when the agent does not report it, never a made-up 0.
      thpUlKbps: optional(r.get(KPM.ueThpUl), (v) => within(bs, v, f(KPM.ueThpUl), 0, peakKbps, ' kbit/s', peak)),
      prbUsedUl: optional(r.get(KPM.prbUsedUl), (v) => within(bs, v, f(KPM.prbUsedUl), 0, cell.prbTotal, '', `cell ${cellId} has ${cell.prbTotal} PRBs`)),
      sinrUlDb: optional(r.get(KPM.sinrUl), (v) => within(bs, v, f(KPM.sinrUl), UE_RANGES.sinrDb.min, UE_RANGES.sinrDb.max, ' dB', 'an uplink SINR')),
    };
  });
  for (const [i, u] of (m.ueRecords as { records: WireRecord[] }[]).entries()) {
    const rsrq = u.records.find((x) => x.name === KPM.rsrq);
    if (rsrq?.value === 'real') within(bs, rsrq.real!, `ue_records[${i}][${KPM.rsrq}]`, UE_RANGES.rsrqDb.min, UE_RANGES.rsrqDb.max, ' dB', 'an RSRQ');
  }
  const sumUe = ues.reduce((a, u) => a + u.thpDlKbps, 0);
  if (sumUe > peakKbps) throw new AgentProtocolError(bs, `ue_records[${KPM.ueThpDl}]`, `the UEs' throughput sums to ${sumUe} kbit/s, above ${peak}`);
  const prbAvailUl = optional(c.get(KPM.prbAvailUl), (v) => prb(KPM.prbAvailUl, v));
  const prbUsedUl = optional(c.get(KPM.prbUsedUl), (v) => prb(KPM.prbUsedUl, v));
  const prbTotUlPct = optional(c.get(KPM.prbTotUl), (v) => within(bs, v, `cell_records[${KPM.prbTotUl}]`, 0, 100, ' %', 'a share of the carrier'));
  const thpUlKbps = optional(c.get(KPM.ueThpUl), (v) => within(bs, v, `cell_records[${KPM.ueThpUl}]`, 0, peakKbps, ' kbit/s', peak));
  return { nodeId, cellId, timestampNs: ts, periodMs, prbAvailDl, prbUsedDl, prbTotDlPct, thpDlKbps, prbAvailUl, prbUsedUl, prbTotUlPct, thpUlKbps, ues };
}
