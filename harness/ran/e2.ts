// The `e2` RAN driver: a gRPC client of proto/e2.proto (service ranlab.e2.E2Node) that
// implements BaseStation. It talks to the twin's base station (harness/twin/gnb.ts) and to
// any agent that serves the same contract next to a real base station.
//
// Everything that comes back from the agent is bounded and validated before use: a broken
// or hostile agent produces a ComponentError naming the base station, never a crash.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ComponentError, ConfigError, messageOf } from '../errors.js';
import { childLog } from '../log.js';
import { protoDir } from '../paths.js';
import type {
  BaseStation,
  CellInfo,
  ControlAck,
  ControlAction,
  KpmIndication,
  KpmSubscription,
  RanFunction,
  SetupInfo,
  ShutdownOutcome,
  UeKpm,
} from './types.js';

const log = childLog('ran.e2');

// ---------------------------------------------------------------------------------------
// The wire contract (shared with the twin's server)

/** E2SM-KPM RAN function (id, name and OID as srsRAN's E2 agent announces it). */
export const KPM_RAN_FUNCTION: RanFunction = { id: 2, name: 'ORAN-E2SM-KPM', oid: '1.3.6.1.4.1.53148.1.2.2.2' };
/** E2SM-RC RAN function. */
export const RC_RAN_FUNCTION: RanFunction = { id: 3, name: 'ORAN-E2SM-RC', oid: '1.3.6.1.4.1.53148.1.1.2.3' };

/** Granularity periods an agent accepts, ms. */
export const MIN_KPM_PERIOD_MS = 10;
export const MAX_KPM_PERIOD_MS = 60_000;

/** Largest message either side accepts, bytes (an indication for a full cell is a few KiB). */
export const MAX_E2_MESSAGE_BYTES = 1 << 20;

/** TS 28.552 measurement names on the wire (see proto/e2.proto). */
export const KPM = {
  prbAvailDl: 'RRU.PrbAvailDl',
  prbUsedDl: 'RRU.PrbUsedDl',
  prbTotDl: 'RRU.PrbTotDl',
  ueThpDl: 'DRB.UEThpDl',
  cqi: 'CQI',
  sinr: 'SINR',
  rsrp: 'RSRP',
  rsrq: 'RSRQ',
} as const;

// Message shapes as @grpc/proto-loader presents them (camelCase, uint64 as decimal strings,
// enums as names, oneof members plus a virtual field naming the one that is set).
export interface WireCell {
  cellId: string;
  rat: string;
  band: string;
  carrierMhz: number;
  bandwidthMhz: number;
  scsKhz: number;
  pci: number;
  prbTotal: number;
  on: boolean;
  arfcn: number;
}
export interface WireSetupResponse {
  globalNodeId: string;
  operator: string;
  cells: WireCell[];
  ranFunctions: RanFunction[];
  nodeTimeNs: string;
}
export interface WireRecord {
  name: string;
  integer?: string | number;
  real?: number;
  noValue?: boolean;
  value?: 'integer' | 'real' | 'noValue';
}
export interface WireUeRecords {
  ueId: string;
  records: WireRecord[];
}
export interface WireKpmIndication {
  globalNodeId: string;
  cellId: string;
  collectionStartTimeNs: string;
  granularityPeriodMs: number;
  sequence: string;
  cellRecords: WireRecord[];
  ueRecords: WireUeRecords[];
}
export interface WireSubscriptionRequest {
  ranFunctionId: number;
  granularityPeriodMs: number;
  cellIds: string[];
}
export interface WireControlRequest {
  ranFunctionId: number;
  prbQuota?: { cellId: string; startPrb: number; nPrb: number } | null;
  cellState?: { cellId: string; on: boolean } | null;
  action?: 'prbQuota' | 'cellState';
}
export interface WireControlAck {
  cellId: string;
  effectiveTimeNs?: string;
  failure?: { cause: string; message: string } | null;
  outcome?: 'effectiveTimeNs' | 'failure';
}

interface E2Package {
  client: grpc.ServiceClientConstructor;
  service: grpc.ServiceDefinition;
}
let loaded: E2Package | null = null;

/** proto/e2.proto loaded once per process: the client constructor and the service definition. */
export function loadE2Proto(): E2Package {
  if (loaded) return loaded;
  const def = protoLoader.loadSync(join(protoDir, 'e2.proto'), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { ranlab: { e2: { E2Node: grpc.ServiceClientConstructor } } };
  const client = pkg.ranlab.e2.E2Node;
  loaded = { client, service: client.service };
  return loaded;
}

// ---------------------------------------------------------------------------------------
// Validation of what the agent sends

const MAX_CELLS = 64;
const MAX_UES_PER_INDICATION = 1024;
const MAX_RECORDS = 64;
const MAX_ID_LENGTH = 128;

function protocolError(bs: string, what: string): ComponentError {
  return new ComponentError(bs, `agent sent an invalid message: ${what}`, 'PROTOCOL_ERROR');
}

function str(bs: string, v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length > MAX_ID_LENGTH) throw protocolError(bs, `${what} is not a string of at most ${MAX_ID_LENGTH} characters`);
  return v;
}

function num(bs: string, v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw protocolError(bs, `${what} is not a finite number`);
  return v;
}

function ns(bs: string, v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v)) throw protocolError(bs, `${what} is not a uint64`);
  return BigInt(v);
}

/** Records by name; integer and real values as numbers, noValue and malformed values left out. */
function recordMap(bs: string, records: unknown, what: string): Map<string, number> {
  if (!Array.isArray(records) || records.length > MAX_RECORDS) throw protocolError(bs, `${what}: more than ${MAX_RECORDS} records`);
  const out = new Map<string, number>();
  for (const r of records as WireRecord[]) {
    if (!r || typeof r.name !== 'string' || r.name.length > MAX_ID_LENGTH) continue;
    let v: number | undefined;
    if (r.value === 'integer') v = Number(r.integer);
    else if (r.value === 'real') v = r.real;
    if (typeof v === 'number' && Number.isFinite(v)) out.set(r.name, v);
  }
  return out;
}

function cellFromWire(bs: string, c: WireCell, i: number): CellInfo {
  const what = `cells[${i}]`;
  const rat = c.rat === 'NR' || c.rat === 'LTE' ? c.rat : null;
  if (!rat) throw protocolError(bs, `${what}.rat is ${String(c.rat)}, expected NR or LTE`);
  return {
    id: str(bs, c.cellId, `${what}.cellId`),
    rat,
    band: str(bs, c.band, `${what}.band`),
    carrierMHz: num(bs, c.carrierMhz, `${what}.carrierMhz`),
    bandwidthMHz: num(bs, c.bandwidthMhz, `${what}.bandwidthMhz`),
    scsKHz: num(bs, c.scsKhz, `${what}.scsKhz`),
    pci: num(bs, c.pci, `${what}.pci`),
    prbTotal: num(bs, c.prbTotal, `${what}.prbTotal`),
    on: c.on === true,
  };
}

/** An indication as KpmIndication (units per types.ts); throws ComponentError('PROTOCOL_ERROR'). */
export function indicationFromWire(bs: string, m: WireKpmIndication): KpmIndication {
  if (!m || typeof m !== 'object') throw protocolError(bs, 'indication is not a message');
  const cell = recordMap(bs, m.cellRecords, 'cell records');
  if (!Array.isArray(m.ueRecords) || m.ueRecords.length > MAX_UES_PER_INDICATION) {
    throw protocolError(bs, `more than ${MAX_UES_PER_INDICATION} UEs in one indication`);
  }
  const ues: UeKpm[] = m.ueRecords.map((u, i) => {
    const r = recordMap(bs, u?.records, `ue_records[${i}]`);
    return {
      ueId: str(bs, u.ueId, `ue_records[${i}].ueId`),
      thpDlKbps: r.get(KPM.ueThpDl) ?? 0,
      prbUsedDl: r.get(KPM.prbUsedDl) ?? 0,
      cqi: r.get(KPM.cqi) ?? 0,
      sinrDb: r.get(KPM.sinr) ?? 0,
      rsrpDbm: r.get(KPM.rsrp) ?? 0,
    };
  });
  return {
    nodeId: str(bs, m.globalNodeId, 'globalNodeId'),
    cellId: str(bs, m.cellId, 'cellId'),
    timestampNs: ns(bs, m.collectionStartTimeNs, 'collectionStartTimeNs'),
    periodMs: num(bs, m.granularityPeriodMs, 'granularityPeriodMs'),
    prbAvailDl: cell.get(KPM.prbAvailDl) ?? 0,
    prbUsedDl: cell.get(KPM.prbUsedDl) ?? 0,
    prbTotDlPct: cell.get(KPM.prbTotDl) ?? 0,
    thpDlKbps: cell.get(KPM.ueThpDl) ?? 0,
    ues,
  };
}

function describe(err: unknown): string {
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e?.code === 'number') return `${grpc.status[e.code] ?? e.code}: ${e.details || e.message}`;
  return messageOf(err);
}

function isUnreachable(err: unknown): boolean {
  const code = (err as Partial<grpc.ServiceError>)?.code;
  return code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED;
}

// ---------------------------------------------------------------------------------------
// The driver

export interface E2BaseStationOptions {
  /** The base station as the rig file names it (`gnb-a`); every error names it. */
  id: string;
  /** The agent's address, `host:port`. */
  address: string;
  /** Deadline of Setup and Control calls, ms (default 3000). */
  deadlineMs?: number;
  /** Bound on shutdown(), ms (default 3000). */
  shutdownTimeoutMs?: number;
  /**
   * TLS for agents on lab hosts (PEM): the CA that signed the agent's certificate, and this
   * controller's client certificate and key. Omitted: plaintext, for the twin on loopback.
   */
  tls?: { caPem: Buffer; certPem?: Buffer; keyPem?: Buffer };
}

type Unary<Req, Res> = (
  req: Req,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: Res) => void,
) => grpc.ClientUnaryCall;

interface E2Client extends grpc.Client {
  Setup: Unary<{ requester: string }, WireSetupResponse>;
  Control: Unary<WireControlRequest, WireControlAck>;
  Subscribe(req: WireSubscriptionRequest, opts?: grpc.CallOptions): grpc.ClientReadableStream<WireKpmIndication>;
}

export class E2BaseStation implements BaseStation {
  readonly id: string;
  readonly address: string;
  private readonly client: E2Client;
  private readonly deadlineMs: number;
  private readonly shutdownTimeoutMs: number;
  private cells: CellInfo[] | null = null;
  private readonly subscriptions = new Set<{ close(): void }>();
  private closed = false;

  constructor(opts: E2BaseStationOptions) {
    if (!/^[^\s]+:\d{1,5}$/.test(opts.address)) {
      throw new ConfigError(`${opts.id}: agent address ${JSON.stringify(opts.address)} is not host:port`);
    }
    this.id = opts.id;
    this.address = opts.address;
    this.deadlineMs = opts.deadlineMs ?? 3000;
    this.shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 3000;
    const creds = opts.tls
      ? grpc.credentials.createSsl(opts.tls.caPem, opts.tls.keyPem ?? null, opts.tls.certPem ?? null)
      : grpc.credentials.createInsecure();
    const Ctor = loadE2Proto().client;
    this.client = new Ctor(opts.address, creds, {
      'grpc.max_receive_message_length': MAX_E2_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_E2_MESSAGE_BYTES,
      // Notice a vanished agent host during a long KPM stream, not only a dead process.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    }) as unknown as E2Client;
  }

  private unary<Req, Res>(fn: Unary<Req, Res>, req: Req, deadlineMs: number): Promise<Res> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new ComponentError(this.id, 'driver already closed', 'CLOSED'));
        return;
      }
      fn.call(this.client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) reject(err);
        else if (!res) reject(protocolError(this.id, 'empty response'));
        else resolve(res);
      });
    });
  }

  async setup(): Promise<SetupInfo> {
    return this.setupWithin(this.deadlineMs);
  }

  private async setupWithin(deadlineMs: number): Promise<SetupInfo> {
    let res: WireSetupResponse;
    try {
      res = await this.unary(this.client.Setup, { requester: 'ranlab controller' }, deadlineMs);
    } catch (err) {
      if (err instanceof ComponentError) throw err;
      if (isUnreachable(err)) {
        throw new ComponentError(this.id, `unreachable at ${this.address}: ${describe(err)}`, 'UNREACHABLE', { cause: err });
      }
      throw new ComponentError(this.id, `E2 setup with ${this.address} failed: ${describe(err)}`, 'SETUP_FAILED', { cause: err });
    }
    if (!Array.isArray(res.cells) || res.cells.length > MAX_CELLS) throw protocolError(this.id, `setup lists more than ${MAX_CELLS} cells`);
    if (!Array.isArray(res.ranFunctions) || res.ranFunctions.length > MAX_CELLS) throw protocolError(this.id, 'too many RAN functions');
    const cells = res.cells.map((c, i) => cellFromWire(this.id, c, i));
    const ranFunctions = res.ranFunctions.map((f, i) => ({
      id: num(this.id, f.id, `ranFunctions[${i}].id`),
      name: str(this.id, f.name, `ranFunctions[${i}].name`),
      oid: str(this.id, f.oid, `ranFunctions[${i}].oid`),
    }));
    this.cells = cells;
    return { nodeId: str(this.id, res.globalNodeId, 'globalNodeId'), operator: str(this.id, res.operator, 'operator'), cells, ranFunctions };
  }

  async control(action: ControlAction): Promise<ControlAck> {
    return this.controlWithin(action, this.deadlineMs);
  }

  private async controlWithin(action: ControlAction, deadlineMs: number): Promise<ControlAck> {
    const req: WireControlRequest =
      action.kind === 'prbQuota'
        ? { ranFunctionId: RC_RAN_FUNCTION.id, prbQuota: { cellId: action.cellId, startPrb: action.startPrb, nPrb: action.nPrb } }
        : { ranFunctionId: RC_RAN_FUNCTION.id, cellState: { cellId: action.cellId, on: action.on } };
    const what =
      action.kind === 'prbQuota'
        ? `PRB quota ${action.startPrb}+${action.nPrb} on cell ${action.cellId}`
        : `cell ${action.cellId} ${action.on ? 'on' : 'off'}`;
    if (action.kind === 'prbQuota' && ![action.startPrb, action.nPrb].every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new ComponentError(this.id, `control ${what} rejected: startPrb and nPrb must be non-negative integers`, 'CONTROL_REJECTED');
    }
    let ack: WireControlAck;
    try {
      ack = await this.unary(this.client.Control, req, deadlineMs);
    } catch (err) {
      if (err instanceof ComponentError) throw err;
      const code = (err as Partial<grpc.ServiceError>).code;
      const kind = isUnreachable(err)
        ? 'UNREACHABLE'
        : code === grpc.status.INVALID_ARGUMENT || code === grpc.status.NOT_FOUND || code === grpc.status.FAILED_PRECONDITION
          ? 'CONTROL_REJECTED'
          : 'CONTROL_FAILED';
      const verb = kind === 'UNREACHABLE' ? `unreachable at ${this.address}` : 'rejected';
      throw new ComponentError(this.id, `control ${what} ${verb}: ${describe(err)}`, kind, { cause: err });
    }
    if (ack.outcome === 'failure' && ack.failure) {
      throw new ComponentError(
        this.id,
        `control ${what} failed at the node: ${String(ack.failure.cause)}: ${String(ack.failure.message).slice(0, 500)}`,
        'CONTROL_FAILED',
      );
    }
    if (ack.cellId !== action.cellId) throw protocolError(this.id, `ack for cell ${String(ack.cellId)} answering ${what}`);
    const effectiveNs = ns(this.id, ack.effectiveTimeNs, 'effectiveTimeNs');
    if (action.kind === 'cellState' && this.cells) {
      const c = this.cells.find((x) => x.id === action.cellId);
      if (c) c.on = action.on;
    }
    return { cellId: action.cellId, effectiveNs };
  }

  subscribe(periodMs: number, onIndication: (ind: KpmIndication) => void, onError: (err: Error) => void): KpmSubscription {
    if (!Number.isInteger(periodMs) || periodMs < MIN_KPM_PERIOD_MS || periodMs > MAX_KPM_PERIOD_MS) {
      throw new ConfigError(`${this.id}: KPM period ${periodMs} ms is outside ${MIN_KPM_PERIOD_MS}..${MAX_KPM_PERIOD_MS} ms`);
    }
    if (this.closed) throw new ComponentError(this.id, 'driver already closed', 'CLOSED');
    const call = this.client.Subscribe({ ranFunctionId: KPM_RAN_FUNCTION.id, granularityPeriodMs: periodMs, cellIds: [] });
    let done = false;
    // An agent that stops talking without closing the connection (a hung process, a host
    // gone from the network) is noticed too: no indication for three periods + 3 s.
    const silenceMs = 3 * periodMs + 3000;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => fail(`no KPM indication for ${silenceMs} ms`), silenceMs);
      watchdog.unref();
    };
    const sub = {
      close: () => {
        if (done) return;
        done = true;
        clearTimeout(watchdog);
        this.subscriptions.delete(sub);
        call.cancel();
      },
    };
    const fail = (detail: string, rejected = false) => {
      if (done) return;
      sub.close();
      const err = rejected
        ? new ComponentError(this.id, `KPM subscription at ${this.address} rejected: ${detail}`, 'SUBSCRIBE_REJECTED')
        : new ComponentError(this.id, `KPM stream from ${this.address} broke: ${detail}`, 'STREAM_BROKEN');
      log.warn({ bs: this.id, detail }, 'KPM stream broke');
      onError(err);
    };
    call.on('data', (m: WireKpmIndication) => {
      if (done) return;
      arm();
      let ind: KpmIndication;
      try {
        ind = indicationFromWire(this.id, m);
      } catch (err) {
        fail(messageOf(err));
        return;
      }
      try {
        onIndication(ind);
      } catch (err) {
        log.error({ bs: this.id, err: messageOf(err) }, 'KPM indication handler threw');
      }
    });
    call.on('error', (err: Partial<grpc.ServiceError>) => {
      const c = err?.code;
      const rejected = c === grpc.status.INVALID_ARGUMENT || c === grpc.status.NOT_FOUND || c === grpc.status.RESOURCE_EXHAUSTED;
      fail(describe(err), rejected);
    });
    call.on('end', () => fail('the agent ended the stream'));
    this.subscriptions.add(sub);
    arm();
    return { close: sub.close };
  }

  async shutdown(): Promise<ShutdownOutcome> {
    const started = Date.now();
    const left = () => Math.max(1, this.shutdownTimeoutMs - (Date.now() - started));
    // Cells not (yet) acknowledged off, with why; whatever is left at the timeout is reported.
    const pending = new Map<string, string>((this.cells ?? []).map((c) => [c.id, 'no acknowledgement before the shutdown timeout']));
    let known = this.cells !== null;
    const work = (async () => {
      let cellIds = this.cells?.map((c) => c.id);
      if (!cellIds) {
        cellIds = (await this.setupWithin(Math.min(1500, left()))).cells.map((c) => c.id);
        for (const id of cellIds) pending.set(id, 'no acknowledgement before the shutdown timeout');
        known = true;
      }
      const results = await Promise.allSettled(
        cellIds.map((cellId) => this.controlWithin({ kind: 'cellState', cellId, on: false }, left())),
      );
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          pending.set(cellIds[i]!, messageOf(r.reason));
          log.warn({ bs: this.id, cell: cellIds[i], err: messageOf(r.reason) }, 'could not turn cell off');
        } else pending.delete(cellIds[i]!);
      });
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn({ bs: this.id, timeoutMs: this.shutdownTimeoutMs }, 'shutdown timed out');
        resolve();
      }, this.shutdownTimeoutMs + 100);
    });
    let failure = '';
    try {
      await Promise.race([
        work.catch((err) => {
          failure = messageOf(err);
          log.warn({ bs: this.id, err: failure }, 'shutdown failed');
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
    // Cells we never learnt (no setup answer): the base station itself is unconfirmed.
    if (!known) return { notConfirmedOff: [{ cellId: `${this.id}/*`, reason: failure || 'no setup answer before the shutdown timeout' }] };
    return { notConfirmedOff: [...pending].map(([cellId, reason]) => ({ cellId, reason: failure && reason.startsWith('no ack') ? failure : reason })) };
  }

  close(): void {
    if (this.closed) return;
    for (const s of [...this.subscriptions]) s.close();
    this.closed = true;
    this.client.close();
  }
}

/** The e2 driver factory. */
export function createE2BaseStation(opts: E2BaseStationOptions): BaseStation {
  return new E2BaseStation(opts);
}
