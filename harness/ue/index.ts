// UE drivers: the public surface. The AT modem driver (real Quectel modules and the twin modem
// on its pseudo-terminal), parsers of the replies it relies on, measurement points, iperf3
// traffic, and the by-hand entry points behind `ranlab ue <rig> <ue-id> at|status`.
import type { Point, TagSet } from '../measure/types.js';
import { AtModemUe, type AtModemOptions, type UeStatus } from './at/driver.js';
import { AtCommandError } from './at/errors.js';
import type { CellMeasurement, ServingCell, Ue, UeEvent, UeReading } from './types.js';

export type * from './types.js';
export { AtModemUe, type AtModemOptions, type UeStatus } from './at/driver.js';
export { AtChannel, type AtReply, type AtChannelOptions, type SendOptions, type AtTimers } from './at/channel.js';
export { commandSpec, VENDOR_MAX_MS, DEFAULT_MAX_MS, type CommandSpec } from './at/commands.js';
export { AtCommandError, CmeError, AtTimeoutError, AtProtocolError, AtParseError, UeDisconnectedError, UeFailedError, CME_TEXT } from './at/errors.js';
export {
  parseServingCell,
  parseRegistration,
  parseCgpaddr,
  parseCgact,
  parseQnwprefcfg,
  parseBandLock,
  parseBandList,
  parseCsq,
  parseAti,
  parseImei,
  parseImsi,
  parseCfun,
  parseCops,
  lteSinrToDb,
  lteSinrScaleForModel,
  type LteSinrScale,
  type ServingCellOptions,
  type Csq,
  type Cops,
} from './at/parse.js';
export {
  startIperfServer,
  runIperfClient,
  parseIperfJson,
  measureTwinTraffic,
  trafficPoints,
  type IperfResult,
  type IperfInterval,
  type IperfClientOptions,
  type IperfServerOptions,
  type TwinTrafficOptions,
} from './iperf.js';
export { runEpochTraffic, type EpochTrafficOptions, type TrafficOutcome } from './epoch-traffic.js';

/** The legs a reading carries: the LTE anchor or SA cell (`primary`) and, in EN-DC, the NR leg. */
export function radioLegsOf(reading: UeReading): { rat: 'lte' | 'nr'; cell: CellMeasurement }[] {
  const { primary, nr, rat } = reading.serving;
  const legs: { rat: 'lte' | 'nr'; cell: CellMeasurement }[] = [];
  if (primary) legs.push({ rat: rat === 'NR5G-SA' ? 'nr' : 'lte', cell: primary });
  if (nr && nr !== primary) legs.push({ rat: 'nr', cell: nr });
  return legs;
}

/**
 * `ue_radio` points for one reading, one per leg (EN-DC gives two: the LTE anchor and the NR
 * leg). Tags: rig, trial, operator (from `tags`), ue and rat (`lte`/`nr`). Fields: rsrpDbm,
 * rsrqDb, sinrDb, sinrRaw (as printed), cqi (the leg's own), band (string, `n46`/`B3`), arfcn,
 * pci; a value the modem printed as `-` or as a sentinel is left out. A reading without a cell
 * (SEARCH) gives no point: the gap is the absence of points.
 */
export function toPoints(reading: UeReading, tags: TagSet): Point[] {
  if (reading.serving.state === 'SEARCH') return [];
  const points: Point[] = [];
  for (const { rat, cell } of radioLegsOf(reading)) {
    const fields: Record<string, number | string> = {};
    const put = (k: string, v: number | string | null) => {
      if (v !== null) fields[k] = v;
    };
    put('rsrpDbm', cell.rsrpDbm);
    put('rsrqDb', cell.rsrqDb);
    put('sinrDb', cell.sinrDb);
    put('sinrRaw', cell.sinrRaw);
    put('cqi', cell.cqi);
    put('band', cell.band);
    put('arfcn', cell.arfcn);
    put('pci', cell.pci);
    if (Object.keys(fields).length === 0) continue;
    points.push({ measurement: 'ue_radio', tags: { ...tags, ue: reading.ueId, rat }, fields, timestampNs: reading.timestampNs });
  }
  return points;
}

/**
 * A `ue_event` point for the lifecycle events (unplugged, replugged, reset, recovered, failed)
 * and for each reply line the driver could not use (unparsed; detail: command and raw line):
 * tags as toPoints; fields event (string) and detail (string). Other events give none.
 */
export function eventPoints(ueId: string, event: UeEvent, tags: TagSet): Point[] {
  let detail = '';
  switch (event.kind) {
    case 'unplugged':
    case 'reset':
      detail = event.detail;
      break;
    case 'failed':
      detail = event.error.message;
      break;
    case 'unparsed':
      detail = `${event.command}: ${event.line}`;
      break;
    case 'replugged':
    case 'recovered':
      break;
    default:
      return [];
  }
  return [{ measurement: 'ue_event', tags: { ...tags, ue: ueId }, fields: { event: event.kind, detail }, timestampNs: event.timestampNs }];
}

// ---- by hand: `ranlab ue <rig> <ue-id> at '<command>'` and `... status` ------------------

export interface UeAtResult {
  command: string;
  /** Information lines of the reply (echo and URCs removed). */
  lines: string[];
  /** The final result line as the modem printed it (`OK`, `ERROR`, `+CME ERROR: ...`). */
  final: string;
  ok: boolean;
}

/**
 * Send one command to one modem and return its reply. The modem's settings are left as they
 * are (no ATE1/CMEE): only a resynchronising read is sent before the command. A refusal
 * (ERROR, +CME ERROR) is a result with ok false; transport failures (no port, no answer)
 * throw ComponentErrors. The port must not be held by a running trial (serialport locks it).
 */
export async function ueAt(options: AtModemOptions, command: string, o: { timeoutMs?: number } = {}): Promise<UeAtResult> {
  const ue = new AtModemUe({ ...options, unansweredLimit: Number.MAX_SAFE_INTEGER });
  await ue.open({ configure: false });
  try {
    const r = await ue.send(command, { raw: true, timeoutMs: o.timeoutMs });
    return { command: r.command, lines: r.lines, final: r.final, ok: true };
  } catch (err) {
    if (err instanceof AtCommandError) return { command: err.command, lines: [...err.lines], final: err.final, ok: false };
    throw err;
  } finally {
    await ue.close();
  }
}

/** The reply as a modem terminal shows it. */
export function formatAtResult(r: UeAtResult): string {
  return [...r.lines, r.final].join('\n') + '\n';
}

/** Open the modem (without changing its settings), read its parsed state, close it. */
export async function ueStatus(options: AtModemOptions): Promise<UeStatus> {
  const ue = new AtModemUe({ ...options, unansweredLimit: Number.MAX_SAFE_INTEGER });
  await ue.open({ configure: false });
  try {
    return await ue.status();
  } finally {
    await ue.close();
  }
}

/** The radio legs of a serving cell, named: `nr` alone in SA, `lte` and `nr` in EN-DC, `lte` in LTE. */
export function servingLegs(s: ServingCell): Array<['lte' | 'nr', CellMeasurement]> {
  const legs: Array<['lte' | 'nr', CellMeasurement]> = [];
  if (s.primary && s.primary !== s.nr) legs.push(['lte', s.primary]);
  if (s.nr) legs.push(['nr', s.nr]);
  return legs;
}

/**
 * UeStatus as JSON (`ranlab ue <rig> <ue> status --json`): the same state, with the serving
 * cell given as its named legs (`lte`, `nr`) rather than primary/nr, so an SA cell is not
 * printed twice.
 */
export function ueStatusJson(s: UeStatus): string {
  const serving = s.serving ? { state: s.serving.state, rat: s.serving.rat, ...Object.fromEntries(servingLegs(s.serving)) } : null;
  return JSON.stringify({ ...s, serving }, null, 2) + '\n';
}

/** UeStatus as lines for a terminal. */
export function formatUeStatus(s: UeStatus): string {
  const out: string[] = [`ue ${s.id} on ${s.port}: ${s.health}`];
  if (s.identity) out.push(`  identity     ${s.identity.manufacturer} ${s.identity.model} rev ${s.identity.revision}, IMEI ${s.identity.imei}, IMSI ${s.identity.imsi ?? '-'}`);
  if (s.power !== null) out.push(`  power        CFUN ${s.power} (${s.power === 1 ? 'full' : s.power === 4 ? 'RF off' : s.power === 0 ? 'minimum' : 'other'})`);
  if (s.registration) {
    const r = s.registration;
    out.push(`  registration ${r.domain} stat ${r.stat} (${r.registered ? 'registered' : 'not registered'})${r.tac ? `, TAC ${r.tac}` : ''}${r.ci ? `, CI ${r.ci}` : ''}${r.act !== null ? `, AcT ${r.act}` : ''}`);
  }
  if (s.serving) {
    const f = (v: number | string | null, unit = '') => (v === null ? '-' : `${v}${unit}`);
    out.push(`  serving      ${s.serving.state}${s.serving.rat ? ` ${s.serving.rat}` : ''}`);
    for (const [leg, c] of servingLegs(s.serving)) {
      out.push(`    ${leg.padEnd(4)}       band ${f(c.band)} ARFCN ${f(c.arfcn)} PCI ${f(c.pci)} BW ${f(c.bandwidthMHz, ' MHz')} RSRP ${f(c.rsrpDbm, ' dBm')} RSRQ ${f(c.rsrqDb, ' dB')} SINR ${f(c.sinrDb, ' dB')} (raw ${f(c.sinrRaw)}) CQI ${f(c.cqi)}`);
    }
  }
  if (s.dataSession) out.push(`  data         cid ${s.dataSession.cid} ${s.dataSession.active ? `active, ${s.dataSession.address ?? 'no address'}` : 'inactive'}`);
  if (s.bandLock) {
    const b = s.bandLock;
    out.push(`  bands        LTE ${b.lte?.join(':') ?? '-'}; NSA NR ${b.nsaNr?.join(':') ?? '-'}; SA NR ${b.saNr?.join(':') ?? '-'}; mode ${b.modePref ?? '-'}`);
    for (const [k, v] of Object.entries(b.problems ?? {})) out.push(`  (bands ${k}: ${v})`);
  }
  for (const [k, v] of Object.entries(s.errors)) out.push(`  (${k}: ${v})`);
  return out.join('\n') + '\n';
}
