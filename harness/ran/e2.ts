// The `e2` RAN driver: a gRPC client of proto/e2.proto (service ranlab.e2.E2Node) that
// implements BaseStation. It talks to the twin's base station (harness/twin/gnb.ts) and to
// any agent that serves the same contract next to a real base station.
//
// Everything that comes back from the agent is bounded and validated before use: a broken
// or hostile agent produces a ComponentError naming the base station, never a crash.
import * as grpc from '@grpc/grpc-js';
import { ComponentError, ConfigError, messageOf } from '../errors.js';
import { childLog } from '../log.js';
import {
  KPM,
  KPM_RAN_FUNCTION,
  MAX_E2_MESSAGE_BYTES,
  MAX_KPM_PERIOD_MS,
  MIN_KPM_PERIOD_MS,
  RC_RAN_FUNCTION,
  loadE2Proto,
  type WireCell,
  type WireClockAck,
  type WireClockAdvance,
  type WireControlAck,
  type WireControlRequest,
  type WireKpmIndication,
  type WireRecord,
  type WireSetupResponse,
  type WireSubscriptionRequest,
} from '../wire/index.js';
import { controllerCredentials, explainTlsFailure, probeAgentTls, type TlsPems } from '../certs/index.js';
import { hostClock, type Clock } from '../measure/clock.js';
import { cellBounds } from './bounds.js';
import { CellStateWatch, type OnCellStateChange } from './drift.js';
import {
  AgentProtocolError,
  checkAckTime,
  checkIndication,
  checkSetupAgainstRig,
  checkSetupCell,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  MAX_CELLS,
  str,
  finite,
  type ExpectedNode,
} from './e2-validate.js';
import { IndicationRate } from './rate.js';
import type {
  BaseStation,
  CellInfo,
  ControlAck,
  ControlAction,
  KpmIndication,
  KpmSubscription,
  SetupInfo,
  ShutdownOutcome,
} from './types.js';

const log = childLog('ran.e2');

// The wire contract lives in harness/wire (shared with the agents); re-exported for callers.
export { KPM, KPM_RAN_FUNCTION, MAX_E2_MESSAGE_BYTES, MAX_KPM_PERIOD_MS, MIN_KPM_PERIOD_MS, RC_RAN_FUNCTION, loadE2Proto };

// ---------------------------------------------------------------------------------------
// Validation of what the agent sends: see e2-validate.ts

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
   * Mutual TLS (PEM): the lab CA that signed the agent's certificate, and this controller's
   * client certificate and key. The agent's certificate must name `id` (CN or DNS SAN).
   * Omitted: plaintext (only for test peers; every ranlab agent requires TLS).
   */
  tls?: TlsPems;
  /** What the rig says this agent is: its setup must match (node id, operator, cells). */
  expect?: ExpectedNode;
  /** Bound on |agent clock - controller clock| for indication timestamps, ms (default 10 s). */
  maxClockSkewMs?: number;
  /** A cell found changed behind the controller's back: fail the stream (default) or restore the cell. */
  onCellStateChange?: OnCellStateChange;
  /**
   * Renew the agent's lease (a Setup call) this often after the first setup, ms (default 1000;
   * 0: never). An agent whose lease lapses puts its radio in the safe state.
   */
  leaseRenewMs?: number;
  /**
   * The trial's time (default the host's). Virtual: indication and ack times are checked
   * against it, the rate bound counts in it, and no silence watchdog runs (the agent speaks
   * when advanced, and advance() notices a dead one).
   */
  clock?: Clock;
}

/** What a subscription accepted and dropped (beyond the rate bound), and cells restored. */
export interface E2SubscriptionStats {
  accepted: number;
  dropped: number;
  restored: number;
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
  Advance: Unary<WireClockAdvance, WireClockAck>;
  Subscribe(req: WireSubscriptionRequest, opts?: grpc.CallOptions): grpc.ClientReadableStream<WireKpmIndication>;
}

export class E2BaseStation implements BaseStation {
  readonly id: string;
  readonly address: string;
  private readonly client: E2Client;
  private readonly deadlineMs: number;
  private readonly shutdownTimeoutMs: number;
  private cells: CellInfo[] | null = null;
  private nodeId: string;
  private watch: CellStateWatch | null = null;
  private readonly subscriptions = new Set<{ close(): void }>();
  private closed = false;
  private readonly opts: E2BaseStationOptions;
  private readonly restoring = new Set<string>();
  private readonly cellQueue = new Map<string, Promise<unknown>>();
  private renewTimer: NodeJS.Timeout | null = null;
  /** When the last call went to the agent (performance.now()): every call renews its lease. */
  private lastCallAt = 0;
  /** Totals over every subscription of this driver. */
  readonly stats: E2SubscriptionStats = { accepted: 0, dropped: 0, restored: 0 };
  private readonly clock: Clock;

  constructor(opts: E2BaseStationOptions) {
    if (!/^[^\s]+:\d{1,5}$/.test(opts.address)) {
      throw new ConfigError(`${opts.id}: agent address ${JSON.stringify(opts.address)} is not host:port`);
    }
    this.id = opts.id;
    this.opts = opts;
    this.clock = opts.clock ?? hostClock;
    this.nodeId = opts.expect?.nodeId ?? opts.id;
    this.address = opts.address;
    this.deadlineMs = opts.deadlineMs ?? 3000;
    this.shutdownTimeoutMs = opts.shutdownTimeoutMs ?? 3000;
    const tls = opts.tls ? controllerCredentials(opts.tls, opts.id) : null;
    const Ctor = loadE2Proto().client;
    this.client = new Ctor(opts.address, tls?.credentials ?? grpc.credentials.createInsecure(), {
      ...tls?.channelOptions,
      'grpc.max_receive_message_length': MAX_E2_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_E2_MESSAGE_BYTES,
      // Notice a vanished agent host during a long KPM stream, not only a dead process.
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
      // No channelz: nothing reads it, and its bookkeeping is a share of every call's cost.
      'grpc.enable_channelz': 0,
    }) as unknown as E2Client;
  }

  private unary<Req, Res>(fn: Unary<Req, Res>, req: Req, deadlineMs: number): Promise<Res> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new ComponentError(this.id, 'driver already closed', 'CLOSED'));
        return;
      }
      this.lastCallAt = performance.now();
      fn.call(this.client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => {
        if (err) reject(err);
        else if (!res) reject(new AgentProtocolError(this.id, 'response', 'empty'));
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
      const refusal = await this.tlsRefusal(err);
      if (refusal) throw new ComponentError(this.id, `TLS with the agent at ${this.address} failed: ${refusal}`, 'TLS_REFUSED', { cause: err });
      if (isUnreachable(err)) {
        throw new ComponentError(this.id, `unreachable at ${this.address}: ${describe(err)}`, 'UNREACHABLE', { cause: err });
      }
      throw new ComponentError(this.id, `E2 setup with ${this.address} failed: ${describe(err)}`, 'SETUP_FAILED', { cause: err });
    }
    if (!Array.isArray(res.cells) || res.cells.length === 0 || res.cells.length > MAX_CELLS) {
      throw new AgentProtocolError(this.id, 'cells', `expected 1..${MAX_CELLS} cells`);
    }
    if (!Array.isArray(res.ranFunctions) || res.ranFunctions.length > MAX_CELLS) throw new AgentProtocolError(this.id, 'ranFunctions', 'too many RAN functions');
    const cells = res.cells.map((c, i) => checkSetupCell(this.id, c, i));
    if (new Set(cells.map((c) => c.id)).size !== cells.length) throw new AgentProtocolError(this.id, 'cells', 'a cell id appears twice');
    const ranFunctions = res.ranFunctions.map((f, i) => ({
      id: finite(this.id, f.id, `ranFunctions[${i}].id`),
      name: str(this.id, f.name, `ranFunctions[${i}].name`),
      oid: str(this.id, f.oid, `ranFunctions[${i}].oid`),
    }));
    const nodeId = str(this.id, res.globalNodeId, 'globalNodeId');
    const operator = str(this.id, res.operator, 'operator');
    if (this.opts.expect) checkSetupAgainstRig(this.id, res, cells, this.opts.expect);
    this.nodeId = nodeId;
    this.cells = cells;
    this.watch ??= new CellStateWatch(cells);
    this.startLeaseRenewal();
    const text = (v: unknown, max = 200) => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined);
    const backend = text(res.backend);
    // Room for what went wrong on the agent's host (a gNB binary's problem names its path).
    const baseStation = text(res.baseStation, 600);
    const baseStationVersion = text(res.baseStationVersion, 80);
    return { nodeId, operator, cells, ranFunctions, ...(backend ? { backend } : {}), ...(baseStation ? { baseStation } : {}), ...(baseStationVersion ? { baseStationVersion } : {}) };
  }

  /**
   * Keep the agent's lease: a cheap Setup call whenever leaseRenewMs has passed with no other
   * call (controls renew it too), so at most 2 x leaseRenewMs between calls. Failures show up
   * on the KPM stream.
   */
  private startLeaseRenewal(): void {
    const every = this.opts.leaseRenewMs ?? 1000;
    if (this.renewTimer || every <= 0 || this.closed) return;
    this.renewTimer = setInterval(() => {
      if (performance.now() - this.lastCallAt < every) return;
      this.unary(this.client.Setup, { requester: 'ranlab controller (lease)' }, Math.max(500, every)).catch((err: unknown) =>
        log.debug({ bs: this.id, err: describe(err) }, 'lease renewal failed'),
      );
    }, every);
    this.renewTimer.unref();
  }

  /** Why a connection failed at TLS, in words that say which side refused; null if it was not TLS. */
  private async tlsRefusal(err: unknown): Promise<string | null> {
    if (!this.opts.tls) return null;
    const direct = explainTlsFailure(describe(err));
    if (direct) return direct;
    if ((err as Partial<grpc.ServiceError>)?.code !== grpc.status.UNAVAILABLE) return null;
    const m = /^(.*):(\d+)$/.exec(this.address);
    if (!m) return null;
    return probeAgentTls(m[1]!.replace(/^\[|\]$/g, ''), Number(m[2]), this.opts.tls, this.id).catch(() => null);
  }

  async control(action: ControlAction): Promise<ControlAck> {
    return this.controlWithin(action, this.deadlineMs);
  }

  /**
   * Controls of one cell go out one after another, so the agent applies them in the order the
   * controller issued them (a restore and the next epoch's quota never swap places).
   */
  private controlWithin(action: ControlAction, deadlineMs: number): Promise<ControlAck> {
    // The queue holds settled-or-pending tails that never reject; with none, the control goes out now.
    const prev = this.cellQueue.get(action.cellId);
    const next = prev ? prev.then(() => this.controlNow(action, deadlineMs)) : this.controlNow(action, deadlineMs);
    const tail = next.catch(() => undefined);
    this.cellQueue.set(action.cellId, tail);
    void tail.then(() => {
      if (this.cellQueue.get(action.cellId) === tail) this.cellQueue.delete(action.cellId);
    });
    return next;
  }

  private async controlNow(action: ControlAction, deadlineMs: number): Promise<ControlAck> {
    const rc = RC_RAN_FUNCTION.id;
    const req: WireControlRequest =
      action.kind === 'prbQuota'
        ? { ranFunctionId: rc, prbQuota: { cellId: action.cellId, startPrb: action.startPrb, nPrb: action.nPrb } }
        : action.kind === 'cellState'
          ? { ranFunctionId: rc, cellState: { cellId: action.cellId, on: action.on } }
          : action.kind === 'carrier'
            ? { ranFunctionId: rc, carrier: { cellId: action.cellId, carrierMhz: action.carrierMHz, bandwidthMhz: action.bandwidthMHz } }
            : { ranFunctionId: rc, prbRatio: { cellId: action.cellId, maxRatioPct: action.maxRatioPct } };
    const what =
      action.kind === 'prbQuota'
        ? `PRB quota ${action.startPrb}+${action.nPrb} on cell ${action.cellId}`
        : action.kind === 'cellState'
          ? `cell ${action.cellId} ${action.on ? 'on' : 'off'}`
          : action.kind === 'carrier'
            ? `carrier ${action.carrierMHz} MHz / ${action.bandwidthMHz} MHz on cell ${action.cellId}`
            : `PRB ratio ${action.maxRatioPct} % on cell ${action.cellId}`;
    if (action.kind === 'prbQuota' && ![action.startPrb, action.nPrb].every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new ComponentError(this.id, `control ${what} rejected: startPrb and nPrb must be non-negative integers`, 'CONTROL_REJECTED');
    }
    let ack: WireControlAck;
    this.watch?.begin(action.cellId);
    let effectiveNs: bigint | null = null;
    const sentNs = this.clock.nowNs();
    try {
      ack = await this.unary(this.client.Control, req, deadlineMs);
      effectiveNs = this.ackTime(ack, action, what, sentNs);
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
    } finally {
      this.watch?.end(action, effectiveNs);
    }
    const c = this.cells?.find((x) => x.id === action.cellId);
    if (action.kind === 'cellState' && c) c.on = action.on;
    if (action.kind === 'carrier' && c) Object.assign(c, { carrierMHz: action.carrierMHz, bandwidthMHz: action.bandwidthMHz });
    return { cellId: action.cellId, effectiveNs };
  }

  /** The ack's effective time, or the error the ack stands for. */
  private ackTime(ack: WireControlAck, action: ControlAction, what: string, sentNs: bigint): bigint {
    if (ack.outcome === 'failure' && ack.failure) {
      throw new ComponentError(
        this.id,
        `control ${what} failed at the node: ${String(ack.failure.cause)}: ${String(ack.failure.message).slice(0, 500)}`,
        'CONTROL_FAILED',
      );
    }
    if (ack.cellId !== action.cellId) throw new AgentProtocolError(this.id, 'cellId', `ack for cell ${String(ack.cellId).slice(0, 64)} answering ${what}`);
    return checkAckTime(this.id, ack.effectiveTimeNs, sentNs, this.clock.nowNs(), this.opts.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS);
  }

  /**
   * Twin only: move a virtual-time agent to `toNs`; it has written every KPM period ended by
   * then to its streams when this resolves (they may still be in flight to this process).
   */
  async advance(toNs: bigint): Promise<{ indications: number }> {
    let ack: WireClockAck;
    try {
      ack = await this.unary(this.client.Advance, { toNs: toNs.toString() }, this.deadlineMs);
    } catch (err) {
      if (err instanceof ComponentError) throw err;
      const kind = isUnreachable(err) ? 'UNREACHABLE' : 'ADVANCE_FAILED';
      throw new ComponentError(this.id, `advancing virtual time at ${this.address} failed: ${describe(err)}`, kind, { cause: err });
    }
    const n = Number(ack.indications);
    if (!Number.isSafeInteger(n) || n < 0) throw new AgentProtocolError(this.id, 'indications', 'not a count');
    return { indications: n };
  }

  subscribe(periodMs: number, onIndication: (ind: KpmIndication) => void, onError: (err: Error) => void): KpmSubscription {
    if (!Number.isInteger(periodMs) || periodMs < MIN_KPM_PERIOD_MS || periodMs > MAX_KPM_PERIOD_MS) {
      throw new ConfigError(`${this.id}: KPM period ${periodMs} ms is outside ${MIN_KPM_PERIOD_MS}..${MAX_KPM_PERIOD_MS} ms`);
    }
    if (this.closed) throw new ComponentError(this.id, 'driver already closed', 'CLOSED');
    const cells = this.cells;
    if (!cells) throw new ComponentError(this.id, 'KPM subscription before E2 setup: the cells to check reports against are not known', 'NO_SETUP');
    const ctx = {
      nodeId: this.nodeId,
      // A carrier-and-ratio cell may be retuned up to the rig's carrier: bound it by that one.
      cells: new Map(cells.map((c) => [c.id, cellBounds(c.grants === 'carrier-and-ratio' ? (this.opts.expect?.cells?.find((r) => r.id === c.id) ?? c) : c)])),
      periodMs,
      maxClockSkewMs: this.opts.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS,
      nowNs: () => this.clock.nowNs(),
    };
    const virtual = this.clock.kind === 'virtual';
    const clockMs = () => Number(this.clock.nowNs() / 1000n) / 1000;
    const rate = virtual ? new IndicationRate(cells.length, periodMs, clockMs()) : new IndicationRate(cells.length, periodMs);
    const call = this.client.Subscribe({ ranFunctionId: KPM_RAN_FUNCTION.id, granularityPeriodMs: periodMs, cellIds: [] });
    let done = false;
    // An agent that stops talking without closing the connection (a hung process, a host
    // gone from the network) is noticed too: no indication for three periods + 3 s.
    const silenceMs = 3 * periodMs + 3000;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      if (virtual) return;
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
        if (rate.dropped) log.warn({ bs: this.id, dropped: rate.dropped, accepted: rate.accepted }, 'KPM indications dropped beyond the rate bound');
      },
    };
    const fail = (detail: string | ComponentError, rejected = false) => {
      if (done) return;
      sub.close();
      const err =
        detail instanceof ComponentError
          ? detail
          : rejected
            ? new ComponentError(this.id, `KPM subscription at ${this.address} rejected: ${detail}`, 'SUBSCRIBE_REJECTED')
            : new ComponentError(this.id, `KPM stream from ${this.address} broke: ${detail}`, 'STREAM_BROKEN');
      log.warn({ bs: this.id, code: err.code, detail: err.message }, 'KPM stream failed');
      onError(err);
    };
    call.on('data', (m: WireKpmIndication) => {
      if (done) return;
      arm();
      const verdict = virtual ? rate.admit(clockMs()) : rate.admit();
      if (verdict !== 'accept') {
        this.stats.dropped++;
        if (rate.dropped === 1) log.warn({ bs: this.id, allowedPerSecond: rate.allowedPerSecond }, 'KPM indications beyond the rate bound: dropping and counting');
        if (verdict === 'flood') {
          fail(new AgentProtocolError(this.id, 'indication rate', `more than ${10 * rate.allowedPerSecond} indications a second beyond the bound of ${rate.allowedPerSecond}/s (${rate.dropped} dropped)`));
        }
        return;
      }
      let ind: KpmIndication;
      try {
        ind = checkIndication(this.id, m, ctx);
      } catch (err) {
        fail(err instanceof ComponentError ? err : messageOf(err));
        return;
      }
      this.stats.accepted++;
      try {
        onIndication(ind);
      } catch (err) {
        log.error({ bs: this.id, err: messageOf(err) }, 'KPM indication handler threw');
      }
      const changed = this.watch?.check(ind);
      if (changed) this.onCellChanged(ind.cellId, changed, fail);
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

  /** A cell found changed behind the controller's back: fail, or put it back (once at a time). */
  private onCellChanged(cellId: string, detail: string, fail: (err: ComponentError) => void): void {
    if ((this.opts.onCellStateChange ?? 'fail') === 'fail') {
      fail(new ComponentError(this.id, `${detail}: changed behind the controller's back`, 'CELL_STATE_CHANGED'));
      return;
    }
    if (this.restoring.has(cellId)) return;
    this.restoring.add(cellId);
    log.warn({ bs: this.id, cell: cellId, detail }, "cell changed behind the controller's back: restoring it");
    void (async () => {
      for (const action of this.watch?.restoreActions(cellId) ?? []) await this.control(action);
      this.stats.restored++;
    })()
      .catch((err: unknown) => fail(new ComponentError(this.id, `${detail}, and restoring it failed: ${messageOf(err)}`, 'CELL_STATE_CHANGED')))
      .finally(() => this.restoring.delete(cellId));
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
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.closed = true;
    this.client.close();
  }
}

/** The e2 driver factory. */
export function createE2BaseStation(opts: E2BaseStationOptions): BaseStation {
  return new E2BaseStation(opts);
}
