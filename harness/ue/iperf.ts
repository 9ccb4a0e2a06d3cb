// UE traffic for lab rigs (issue item 4): Debian's iperf3 with --json. The server runs on the
// core side (a supervised child); the client is bound to the UE's data-session address (-B) or
// runs inside the UE's network namespace (ip netns exec). Results become `ue_traffic` points
// with the UE's tags. On the twin there is no radio to push packets through: a UE's throughput
// is the radio model's (the air reading's throughputKbps), sampled on the same schedule and
// returned in the same shape, so the trial writes the same points either way.
import { execa } from 'execa';
import { ComponentError, ConfigError, messageOf } from '../errors.js';
import type { Supervisor, Child } from '../proc/index.js';
import { nowNs, type Point, type TagSet } from '../measure/types.js';
import { Air } from '../twin/air.js';

export type IperfProtocol = 'tcp' | 'udp';
/** dl: the core sends, the UE receives (iperf3 -R from the UE's side); ul: the UE sends. */
export type IperfDirection = 'dl' | 'ul';

export interface IperfInterval {
  /** Seconds from the start of the test. */
  startS: number;
  endS: number;
  bitsPerSecond: number;
  lostPercent: number | null;
}

export interface IperfResult {
  protocol: IperfProtocol;
  direction: IperfDirection;
  /** When the test started, host clock, ns since the Unix epoch. */
  startNs: bigint;
  /** Throughput at the receiver, bit/s (whole test). */
  bitsPerSecond: number;
  /** Throughput at the sender, bit/s. */
  sentBitsPerSecond: number;
  /** UDP: datagrams lost, %. Null for TCP. */
  lostPercent: number | null;
  jitterMs: number | null;
  /** TCP: retransmitted segments. Null for UDP. */
  retransmits: number | null;
  intervals: IperfInterval[];
}

const NAME = /^[A-Za-z0-9_.\-]+$/;
const HOST = /^[A-Za-z0-9_.:\-%]+$/;

export interface IperfServerOptions {
  /** Supervisor child name (default `iperf3-<port>`). */
  name?: string;
  port: number;
  /** Address to listen on (default all). */
  bind?: string;
  /** Run the server inside this network namespace. */
  netns?: string;
  iperfPath?: string;
}

/** Start `iperf3 -s` as a supervised child; resolves once it listens. */
export async function startIperfServer(sup: Supervisor, o: IperfServerOptions): Promise<Child> {
  validatePort(o.port);
  if (o.bind !== undefined && !HOST.test(o.bind)) throw new ConfigError(`iperf3 server bind address ${JSON.stringify(o.bind)} is not an address`);
  const args = ['-s', '-p', String(o.port), '--forceflush', ...(o.bind ? ['-B', o.bind] : [])];
  const [command, argv] = wrapNetns(o.iperfPath ?? 'iperf3', args, o.netns);
  return sup.start({ name: o.name ?? `iperf3-${o.port}`, command, args: argv, readyLine: /Server listening on \d+/, readyTimeoutMs: 10_000 });
}

export interface IperfClientOptions {
  /** The UE id (for errors). */
  ue: string;
  server: string;
  port: number;
  durationS: number;
  /** Report interval, s (default 1). */
  intervalS?: number;
  /** Bind to the UE's data-session address. */
  bind?: string;
  /** Run inside the UE's network namespace. */
  netns?: string;
  protocol?: IperfProtocol;
  /** Target bitrate (iperf3 -b syntax: `20M`); UDP default 1M in iperf3, so set it for UDP. */
  bitrate?: string;
  direction?: IperfDirection;
  iperfPath?: string;
  /** Kill the client after this long (default durationS + 15 s). */
  timeoutMs?: number;
}

/** Run one iperf3 client test and parse its --json report. */
export async function runIperfClient(o: IperfClientOptions): Promise<IperfResult> {
  validatePort(o.port);
  if (!HOST.test(o.server)) throw new ConfigError(`iperf3 server ${JSON.stringify(o.server)} is not a host name or address`);
  if (o.bind !== undefined && !HOST.test(o.bind)) throw new ConfigError(`iperf3 bind address ${JSON.stringify(o.bind)} is not an address`);
  if (!(o.durationS > 0 && o.durationS <= 86_400)) throw new ConfigError(`iperf3 duration ${o.durationS} s out of range`);
  if (o.bitrate !== undefined && !/^\d+(\.\d+)?[KMG]?$/i.test(o.bitrate)) throw new ConfigError(`iperf3 bitrate ${JSON.stringify(o.bitrate)} is not like 20M`);
  const protocol = o.protocol ?? 'tcp';
  const direction = o.direction ?? 'dl';
  const args = [
    '-c', o.server,
    '-p', String(o.port),
    '-t', String(o.durationS),
    '-i', String(o.intervalS ?? 1),
    '--json',
    ...(o.bind ? ['-B', o.bind] : []),
    ...(protocol === 'udp' ? ['-u'] : []),
    ...(o.bitrate ? ['-b', o.bitrate] : []),
    ...(direction === 'dl' ? ['-R'] : []),
  ];
  const [command, argv] = wrapNetns(o.iperfPath ?? 'iperf3', args, o.netns);
  // An iperf3 server runs one test at a time and needs a moment after each: a client that
  // arrives meanwhile is told "the server is busy", which is worth a few short retries.
  for (let attempt = 1; ; attempt++) {
    const startNs = nowNs();
    const r = await execa(command, argv, { reject: false, timeout: o.timeoutMs ?? o.durationS * 1000 + 15_000, stdin: 'ignore' });
    if (r.timedOut) throw new ComponentError(o.ue, `iperf3 to ${o.server}:${o.port} did not finish in time`, 'TRAFFIC_FAILED');
    const text = String(r.stdout ?? '');
    if (text.trim() === '') throw new ComponentError(o.ue, `iperf3 printed no report (exit ${r.exitCode}): ${String(r.stderr ?? '').slice(0, 300)}`, 'TRAFFIC_FAILED');
    if (attempt < BUSY_RETRIES && /server is busy/i.test(text)) {
      await new Promise((res) => setTimeout(res, 250 * attempt));
      continue;
    }
    return parseIperfJson(text, { ue: o.ue, protocol, direction, startNs });
  }
}

const BUSY_RETRIES = 5;

interface Sum {
  bits_per_second?: number;
  lost_percent?: number;
  jitter_ms?: number;
  retransmits?: number;
  start?: number;
  end?: number;
}

/** Parse an iperf3 --json client report; its "error" becomes a ComponentError. */
export function parseIperfJson(text: string, ctx: { ue: string; protocol: IperfProtocol; direction: IperfDirection; startNs: bigint }): IperfResult {
  let doc: { error?: string; intervals?: { sum?: Sum }[]; end?: { sum?: Sum; sum_sent?: Sum; sum_received?: Sum } };
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ComponentError(ctx.ue, `iperf3 report is not JSON: ${messageOf(err)}`, 'TRAFFIC_FAILED');
  }
  if (doc.error) throw new ComponentError(ctx.ue, `iperf3: ${doc.error}`, 'TRAFFIC_FAILED');
  const end = doc.end ?? {};
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const received = num(end.sum_received?.bits_per_second) ?? num(end.sum?.bits_per_second);
  const sent = num(end.sum_sent?.bits_per_second) ?? num(end.sum?.bits_per_second);
  if (received === null) throw new ComponentError(ctx.ue, 'iperf3 report has no end summary', 'TRAFFIC_FAILED');
  const udp = ctx.protocol === 'udp';
  return {
    protocol: ctx.protocol,
    direction: ctx.direction,
    startNs: ctx.startNs,
    bitsPerSecond: received,
    sentBitsPerSecond: sent ?? received,
    lostPercent: udp ? num(end.sum?.lost_percent) : null,
    jitterMs: udp ? num(end.sum?.jitter_ms) : null,
    retransmits: udp ? null : num(end.sum_sent?.retransmits),
    intervals: (doc.intervals ?? []).flatMap((i) => {
      const s = i.sum;
      const bps = num(s?.bits_per_second);
      if (!s || bps === null) return [];
      return [{ startS: num(s.start) ?? 0, endS: num(s.end) ?? 0, bitsPerSecond: bps, lostPercent: udp ? num(s.lost_percent) : null }];
    }),
  };
}

export interface TwinTrafficOptions {
  ue: string;
  airDir: string;
  durationS: number;
  intervalS?: number;
  direction?: IperfDirection;
}

/**
 * The twin's traffic: the radio model's throughput for this UE (the air reading its base station
 * publishes), sampled every intervalS for durationS, in iperf3's result shape. No service = 0.
 */
export async function measureTwinTraffic(o: TwinTrafficOptions): Promise<IperfResult> {
  const air = new Air(o.airDir);
  const step = (o.intervalS ?? 1) * 1000;
  const n = Math.max(1, Math.round((o.durationS * 1000) / step));
  const startNs = nowNs();
  const intervals: IperfInterval[] = [];
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, step));
    const r = air.ueReading(o.ue);
    // The uplink direction reads the radio model's uplink (every twin agent publishes it).
    const kbps = o.direction === 'ul' ? (r?.ulThroughputKbps ?? 0) : (r?.throughputKbps ?? 0);
    const bps = r && r.inService ? kbps * 1000 : 0;
    intervals.push({ startS: (i * step) / 1000, endS: ((i + 1) * step) / 1000, bitsPerSecond: bps, lostPercent: null });
  }
  const mean = intervals.reduce((a, x) => a + x.bitsPerSecond, 0) / intervals.length;
  return { protocol: 'tcp', direction: o.direction ?? 'dl', startNs, bitsPerSecond: mean, sentBitsPerSecond: mean, lostPercent: null, jitterMs: null, retransmits: null, intervals };
}

/**
 * `ue_traffic` points, one per interval, stamped at the interval's end. Tags: the UE's
 * (rig, trial, operator, ue) plus direction. Fields: throughputKbps, and for UDP lostPercent:
 * per interval where the client is the receiver (dl); for ul only the server knows the loss,
 * for the whole test, so it goes on the last point.
 */
export function trafficPoints(result: IperfResult, tags: TagSet): Point[] {
  const t = { ...tags, direction: result.direction };
  const perInterval = result.intervals.some((i) => i.lostPercent !== null);
  return result.intervals.map((i, k) => {
    const fields: Record<string, number> = { throughputKbps: i.bitsPerSecond / 1000 };
    const lost = perInterval ? i.lostPercent : k === result.intervals.length - 1 ? result.lostPercent : null;
    if (lost !== null) fields.lostPercent = lost;
    return { measurement: 'ue_traffic', tags: t, fields, timestampNs: result.startNs + BigInt(Math.round(i.endS * 1e9)) };
  });
}

function validatePort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`iperf3 port ${port} out of range`);
}

function wrapNetns(cmd: string, args: string[], netns?: string): [string, string[]] {
  if (netns === undefined) return [cmd, args];
  if (!NAME.test(netns)) throw new ConfigError(`network namespace ${JSON.stringify(netns)} is not a valid name`);
  return ['ip', ['netns', 'exec', netns, cmd, ...args]];
}
