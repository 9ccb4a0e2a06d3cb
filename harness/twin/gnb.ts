// The twin base station: an E2-style agent (proto/e2.proto, service E2Node) for one emulated
// gNB / eNB, run as its own process (`ranlab twin-gnb --config <file.json>`).
//
// It keeps each cell's state (on/off, PRB quota), publishes what each cell transmits to the
// twin's shared air (harness/twin/air.ts), and every KPM period computes each cell's
// measurements with the radio model (harness/twin/radio.ts) against what the OTHER cells on
// the air transmit at that moment. It also writes each UE's serving-cell reading to the air,
// where the twin modem picks it up.
//
// Safe state: every cell starts OFF with no PRB quota, and goes OFF again (published to the
// air) when the agent stops: SIGTERM, SIGINT, or its parent's lifeline closing.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { z } from 'zod';
import { agentServerCredentials, readTlsFiles, verifiedClient } from '../certs/index.js';
import { ComponentError, ConfigError, exitCodeOf, messageOf } from '../errors.js';
import { childLog } from '../log.js';
import { nowNs } from '../measure/types.js';
import { exitWithParent } from '../proc/index.js';
import {
  KPM,
  KPM_RAN_FUNCTION,
  MAX_E2_MESSAGE_BYTES,
  MAX_KPM_PERIOD_MS,
  MIN_KPM_PERIOD_MS,
  RC_RAN_FUNCTION,
  loadE2Proto,
  type WireCell,
  type WireControlAck,
  type WireControlRequest,
  type WireKpmIndication,
  type WireRecord,
  type WireSetupResponse,
  type WireSubscriptionRequest,
} from '../ran/e2.js';
import { Air, type AirTransmission } from './air.js';
import {
  DEFAULT_NOISE_FIGURE_DB,
  evaluateCell,
  lteEarfcn,
  nrArfcn,
  prbCount,
  prbRangeMHz,
  psdPer180kHzDbm,
  type Carrier,
  type CellRadio,
  type Interferer,
} from './radio.js';

const log = childLog('twin.gnb');

// ---------------------------------------------------------------------------------------
// Configuration

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const idSchema = z.string().regex(ID, 'expected 1..64 characters from A-Z a-z 0-9 . _ - (it names files on the air)');

const cellSchema = z.strictObject({
  id: idSchema,
  rat: z.enum(['NR', 'LTE']),
  band: z.string().min(1).max(16),
  carrierMHz: z.number().positive().max(100_000),
  bandwidthMHz: z.number().positive().max(400),
  scsKHz: z.number().int().positive(),
  pci: z.number().int().min(0).max(1007),
  txPowerDbm: z.number().min(-50).max(80),
  /** NR-ARFCN / EARFCN; computed from carrierMHz (and the LTE band) when absent. */
  arfcn: z.number().int().min(0).max(3_279_165).optional(),
});

const ueSchema = z.strictObject({
  id: idSchema,
  cellId: idSchema,
  pathLossDb: z.number().min(0).max(250),
  interferenceLossDb: z.number().min(0).max(250),
});

const configSchema = z.strictObject({
  nodeId: idSchema,
  operator: z.string().min(1).max(64),
  /** host:port to listen on (loopback: the twin runs beside its controller). Port 0: any free port. */
  listen: z.string().min(1).max(64),
  /**
   * Mutual TLS, required: the trial's CA (clients must hold a certificate it signed), and this
   * agent's certificate and key (made per trial, readable by the trial's user only).
   */
  tls: z.strictObject({ caFile: z.string().min(1).max(4096), certFile: z.string().min(1).max(4096), keyFile: z.string().min(1).max(4096) }),
  /** The twin's shared air folder. */
  airDir: z.string().min(1).max(4096),
  cells: z.array(cellSchema).min(1).max(16),
  ues: z.array(ueSchema).max(256).default([]),
  noiseFigureDb: z.number().min(0).max(30).optional(),
});

export type TwinGnbConfig = z.infer<typeof configSchema>;

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(top level)';
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):(\d{1,5})$/;

/** Validate a twin gNB configuration; errors name the source and the path inside it. */
export function parseTwinGnbConfig(raw: unknown, source: string): TwinGnbConfig {
  const r = configSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 10).map((i) => `${source}: ${pathText(i.path)}: ${i.message}`);
    throw new ConfigError(lines.join('\n'));
  }
  const cfg = r.data;
  const fail = (path: string, msg: string): never => {
    throw new ConfigError(`${source}: ${path}: ${msg}`);
  };
  const m = LOOPBACK.exec(cfg.listen);
  if (!m || Number(m[2]) > 65535) {
    // The twin's radios are emulated on this host: nothing off the host has a reason to reach it.
    fail('listen', `expected a loopback host:port such as 127.0.0.1:0, got ${JSON.stringify(cfg.listen)}`);
  }
  const cellIds = new Set<string>();
  cfg.cells.forEach((c, i) => {
    if (cellIds.has(c.id)) fail(`cells[${i}].id`, `duplicate cell id ${c.id}`);
    cellIds.add(c.id);
    try {
      prbCount(c.rat, c.bandwidthMHz, c.scsKHz);
    } catch (err) {
      fail(`cells[${i}].bandwidthMHz`, messageOf(err));
    }
    if (c.rat === 'LTE' && c.pci > 503) fail(`cells[${i}].pci`, `LTE PCI must be 0..503, got ${c.pci}`);
    if (c.rat === 'NR' && !/^n?\d{1,3}$/.test(c.band)) fail(`cells[${i}].band`, `expected an NR band such as n46, got ${c.band}`);
    if (c.rat === 'LTE' && !/^[Bb]?\d{1,3}$/.test(c.band)) fail(`cells[${i}].band`, `expected an LTE band such as B46, got ${c.band}`);
    if (c.arfcn === undefined) {
      try {
        c.arfcn = c.rat === 'NR' ? nrArfcn(c.carrierMHz) : lteEarfcn(c.band, c.carrierMHz);
      } catch (err) {
        fail(`cells[${i}].carrierMHz`, messageOf(err));
      }
    }
  });
  const ueIds = new Set<string>();
  cfg.ues.forEach((u, i) => {
    if (ueIds.has(u.id)) fail(`ues[${i}].id`, `duplicate UE id ${u.id}`);
    ueIds.add(u.id);
    if (!cellIds.has(u.cellId)) fail(`ues[${i}].cellId`, `no cell ${u.cellId} in cells (${[...cellIds].join(', ')})`);
  });
  return cfg;
}

export function loadTwinGnbConfig(path: string): TwinGnbConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the twin gNB config: ${messageOf(err)}`, 'CONFIG_INVALID', { cause: err });
  }
  if (text.length > 1 << 20) throw new ConfigError(`${path}: larger than 1 MiB`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid JSON: ${messageOf(err)}`, 'CONFIG_INVALID', { cause: err });
  }
  return parseTwinGnbConfig(raw, path);
}

// ---------------------------------------------------------------------------------------
// The agent

/** Most KPM subscriptions served at once. */
const MAX_SUBSCRIPTIONS = 16;
/** Transmissions and UE readings are republished this often, so the air never goes stale. */
const HEARTBEAT_MS = 1000;
/** A transmission not refreshed for this long belongs to a dead agent and is ignored. */
const STALE_AFTER_MS = 5000;

interface TwinCell {
  cfg: TwinGnbConfig['cells'][number];
  carrier: Carrier;
  arfcn: number;
  on: boolean;
  quota: { startPrb: number; nPrb: number } | null;
}

class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

function isInterferer(t: unknown): t is AirTransmission {
  const x = t as Partial<AirTransmission> | null;
  return (
    !!x &&
    typeof x.cellId === 'string' &&
    typeof x.operator === 'string' &&
    typeof x.on === 'boolean' &&
    Number.isFinite(x.lowMHz) &&
    Number.isFinite(x.highMHz) &&
    Number.isFinite(x.psdDbmPerPrb) &&
    typeof x.updatedNs === 'string' &&
    /^\d{1,20}$/.test(x.updatedNs)
  );
}

export class TwinGnb {
  private readonly cells = new Map<string, TwinCell>();
  private readonly air: Air;
  private server: grpc.Server | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly subscriptions = new Set<{ stop(endStream: boolean): void }>();
  private stopping: Promise<void> | null = null;

  constructor(readonly cfg: TwinGnbConfig) {
    this.air = new Air(cfg.airDir);
    for (const c of cfg.cells) {
      this.cells.set(c.id, {
        cfg: c,
        carrier: {
          rat: c.rat,
          carrierMHz: c.carrierMHz,
          bandwidthMHz: c.bandwidthMHz,
          scsKHz: c.scsKHz,
          prbTotal: prbCount(c.rat, c.bandwidthMHz, c.scsKHz),
          txPowerDbm: c.txPowerDbm,
        },
        arfcn: c.arfcn ?? (c.rat === 'NR' ? nrArfcn(c.carrierMHz) : lteEarfcn(c.band, c.carrierMHz)),
        on: false,
        quota: null,
      });
    }
  }

  /** Listen and serve; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    for (const c of this.cells.values()) this.publishTransmission(c);
    this.publishUes(this.evaluate());
    const server = new grpc.Server({
      'grpc.max_receive_message_length': 64 * 1024,
      'grpc.max_send_message_length': MAX_E2_MESSAGE_BYTES,
      'grpc.max_concurrent_streams': 64,
    });
    // Every call must come from a client TLS verified against the trial's CA; controls are
    // logged with who sent them.
    const client = (call: Parameters<typeof verifiedClient>[0]): string => {
      const who = verifiedClient(call);
      if (!who) throw new RpcError(grpc.status.UNAUTHENTICATED, 'a client certificate from the lab CA is required');
      return who;
    };
    server.addService(loadE2Proto().service, {
      Setup: (call: grpc.ServerUnaryCall<unknown, WireSetupResponse>, cb: grpc.sendUnaryData<WireSetupResponse>) =>
        this.unary(cb, () => (client(call), this.onSetup())),
      Control: (call: grpc.ServerUnaryCall<WireControlRequest, WireControlAck>, cb: grpc.sendUnaryData<WireControlAck>) =>
        this.unary(cb, () => this.onControl(call.request, client(call))),
      Subscribe: (call: grpc.ServerWritableStream<WireSubscriptionRequest, WireKpmIndication>) => {
        if (!verifiedClient(call)) {
          call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'a client certificate from the lab CA is required', metadata: new grpc.Metadata() });
          return;
        }
        this.onSubscribe(call);
      },
    });
    const m = LOOPBACK.exec(this.cfg.listen);
    const host = m ? m[1] : '127.0.0.1';
    // Only a client holding a certificate from the trial's CA gets past TLS.
    const creds = agentServerCredentials(readTlsFiles(this.cfg.tls, this.cfg.nodeId));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.cfg.listen, creds, (err, p) => (err ? reject(err) : resolve(p))),
    ).catch((err: unknown) => {
      throw new ComponentError(this.cfg.nodeId, `cannot listen on ${this.cfg.listen}: ${messageOf(err)}`, 'LISTEN_FAILED', { cause: err });
    });
    this.server = server;
    this.heartbeat = setInterval(() => {
      try {
        for (const c of this.cells.values()) this.publishTransmission(c);
        this.publishUes(this.evaluate());
      } catch (err) {
        log.error({ node: this.cfg.nodeId, err: messageOf(err) }, 'heartbeat failed');
      }
    }, HEARTBEAT_MS);
    log.info({ node: this.cfg.nodeId, host, port, cells: [...this.cells.keys()] }, 'E2 agent listening');
    return { host, port };
  }

  /** Cells off (published to the air), streams ended, server shut down. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      for (const c of this.cells.values()) {
        c.on = false;
        try {
          this.publishTransmission(c);
        } catch (err) {
          log.error({ node: this.cfg.nodeId, cell: c.cfg.id, err: messageOf(err) }, 'could not publish cell off');
        }
      }
      try {
        this.publishUes(this.evaluate());
      } catch (err) {
        log.error({ node: this.cfg.nodeId, err: messageOf(err) }, 'could not publish UE readings');
      }
      for (const s of [...this.subscriptions]) s.stop(true);
      const server = this.server;
      if (server) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2000);
          server.tryShutdown(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      log.info({ node: this.cfg.nodeId }, 'E2 agent stopped, cells off');
    })();
    return this.stopping;
  }

  // -- handlers ---------------------------------------------------------------------------

  private unary<T>(cb: grpc.sendUnaryData<T>, fn: () => T): void {
    try {
      cb(null, fn());
    } catch (err) {
      if (err instanceof RpcError) {
        cb({ code: err.code, details: err.message, name: 'RpcError', message: err.message, metadata: new grpc.Metadata() });
      } else {
        log.error({ node: this.cfg.nodeId, err: messageOf(err) }, 'handler failed');
        cb({ code: grpc.status.INTERNAL, details: 'internal error in the twin agent', name: 'Error', message: 'internal', metadata: new grpc.Metadata() });
      }
    }
  }

  private wireCell(c: TwinCell): WireCell {
    return {
      cellId: c.cfg.id,
      rat: c.cfg.rat,
      band: c.cfg.band,
      carrierMhz: c.cfg.carrierMHz,
      bandwidthMhz: c.cfg.bandwidthMHz,
      scsKhz: c.cfg.scsKHz,
      pci: c.cfg.pci,
      prbTotal: c.carrier.prbTotal,
      on: c.on,
      arfcn: c.arfcn,
    };
  }

  private onSetup(): WireSetupResponse {
    return {
      globalNodeId: this.cfg.nodeId,
      operator: this.cfg.operator,
      cells: [...this.cells.values()].map((c) => this.wireCell(c)),
      ranFunctions: [KPM_RAN_FUNCTION, RC_RAN_FUNCTION],
      nodeTimeNs: nowNs().toString(),
    };
  }

  private cell(cellId: unknown): TwinCell {
    if (typeof cellId !== 'string' || cellId.length === 0) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'cell_id is empty');
    const c = this.cells.get(cellId);
    if (!c) {
      throw new RpcError(
        grpc.status.NOT_FOUND,
        `no cell ${JSON.stringify(cellId.slice(0, 64))} at node ${this.cfg.nodeId} (cells: ${[...this.cells.keys()].join(', ')})`,
      );
    }
    return c;
  }

  private onControl(req: WireControlRequest, client: string): WireControlAck {
    if (req.ranFunctionId !== RC_RAN_FUNCTION.id) {
      throw new RpcError(grpc.status.INVALID_ARGUMENT, `ran_function_id ${req.ranFunctionId} is not E2SM-RC (${RC_RAN_FUNCTION.id})`);
    }
    if (req.action === 'prbQuota' && req.prbQuota) {
      const q = req.prbQuota;
      const c = this.cell(q.cellId);
      if (this.stopping) return { cellId: c.cfg.id, failure: { cause: 'NODE_SHUTTING_DOWN', message: 'the node is stopping' } };
      const total = c.carrier.prbTotal;
      if (!Number.isInteger(q.startPrb) || !Number.isInteger(q.nPrb) || q.startPrb < 0 || q.nPrb < 0 || q.startPrb + q.nPrb > total || (q.nPrb > 0 && q.startPrb >= total)) {
        throw new RpcError(
          grpc.status.INVALID_ARGUMENT,
          `PRB quota start ${q.startPrb} + ${q.nPrb} PRBs does not fit cell ${c.cfg.id} (${total} PRBs: needs start_prb + n_prb <= ${total})`,
        );
      }
      c.quota = q.nPrb > 0 ? { startPrb: q.startPrb, nPrb: q.nPrb } : null;
      this.publishTransmission(c);
      log.info({ node: this.cfg.nodeId, cell: c.cfg.id, startPrb: q.startPrb, nPrb: q.nPrb, client }, 'PRB quota applied');
      return { cellId: c.cfg.id, effectiveTimeNs: nowNs().toString() };
    }
    if (req.action === 'cellState' && req.cellState) {
      const c = this.cell(req.cellState.cellId);
      if (this.stopping) return { cellId: c.cfg.id, failure: { cause: 'NODE_SHUTTING_DOWN', message: 'the node is stopping' } };
      c.on = req.cellState.on === true;
      this.publishTransmission(c);
      log.info({ node: this.cfg.nodeId, cell: c.cfg.id, on: c.on, client }, 'cell state applied');
      return { cellId: c.cfg.id, effectiveTimeNs: nowNs().toString() };
    }
    throw new RpcError(grpc.status.INVALID_ARGUMENT, 'control request has no action (expected prb_quota or cell_state)');
  }

  private onSubscribe(call: grpc.ServerWritableStream<WireSubscriptionRequest, WireKpmIndication>): void {
    const refuse = (code: grpc.status, details: string) => {
      call.emit('error', { code, details, metadata: new grpc.Metadata() });
    };
    const req = call.request;
    if (this.stopping) return refuse(grpc.status.UNAVAILABLE, 'the node is stopping');
    if (req.ranFunctionId !== KPM_RAN_FUNCTION.id) {
      return refuse(grpc.status.INVALID_ARGUMENT, `ran_function_id ${req.ranFunctionId} is not E2SM-KPM (${KPM_RAN_FUNCTION.id})`);
    }
    const period = req.granularityPeriodMs;
    if (!Number.isInteger(period) || period < MIN_KPM_PERIOD_MS || period > MAX_KPM_PERIOD_MS) {
      return refuse(grpc.status.INVALID_ARGUMENT, `granularity period ${period} ms is outside ${MIN_KPM_PERIOD_MS}..${MAX_KPM_PERIOD_MS} ms`);
    }
    const ids = Array.isArray(req.cellIds) ? req.cellIds : [];
    if (ids.length > this.cells.size) return refuse(grpc.status.INVALID_ARGUMENT, `${ids.length} cell ids for a node with ${this.cells.size} cells`);
    for (const id of ids) {
      if (!this.cells.has(id)) return refuse(grpc.status.NOT_FOUND, `no cell ${JSON.stringify(String(id).slice(0, 64))} at node ${this.cfg.nodeId}`);
    }
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      return refuse(grpc.status.RESOURCE_EXHAUSTED, `node ${this.cfg.nodeId} already serves ${MAX_SUBSCRIPTIONS} KPM subscriptions`);
    }
    const cellIds = ids.length > 0 ? [...new Set(ids)] : [...this.cells.keys()];

    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    let blocked = false;
    let dropped = 0;
    let seq = 0n;
    const periodNs = BigInt(period) * 1_000_000n;
    const startNs = nowNs();
    const t0 = performance.now();
    let k = 0;
    const sub = {
      stop: (endStream: boolean) => {
        if (stopped) return;
        stopped = true;
        if (timer) clearTimeout(timer);
        this.subscriptions.delete(sub);
        if (endStream) {
          try {
            call.end();
          } catch {
            // already closed
          }
        }
        log.debug({ node: this.cfg.nodeId, period, dropped }, 'KPM subscription ended');
      },
    };
    const tick = () => {
      if (stopped) return;
      k++;
      try {
        const results = this.evaluate();
        this.publishUes(results, cellIds);
        const collectionStart = startNs + BigInt(k - 1) * periodNs;
        for (const id of cellIds) {
          seq++;
          const r = results.get(id);
          if (!r) continue;
          if (blocked) {
            dropped++;
            continue;
          }
          if (!call.write(this.indication(r, collectionStart, period, seq))) {
            blocked = true;
            call.once('drain', () => {
              blocked = false;
            });
          }
        }
      } catch (err) {
        log.error({ node: this.cfg.nodeId, err: messageOf(err) }, 'KPM period failed');
      }
      // Schedule against the start time so periods do not drift.
      const next = t0 + (k + 1) * period;
      timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    call.on('cancelled', () => sub.stop(false));
    call.on('error', () => sub.stop(false));
    call.on('close', () => sub.stop(false));
    this.subscriptions.add(sub);
    timer = setTimeout(tick, period);
    log.info({ node: this.cfg.nodeId, period, cells: cellIds }, 'KPM subscription');
  }

  private indication(r: CellRadio, collectionStartNs: bigint, periodMs: number, seq: bigint): WireKpmIndication {
    const int = (name: string, v: number): WireRecord => ({ name, integer: String(Math.round(v)) });
    const real = (name: string, v: number): WireRecord => ({ name, real: v });
    return {
      globalNodeId: this.cfg.nodeId,
      cellId: r.cellId,
      collectionStartTimeNs: collectionStartNs.toString(),
      granularityPeriodMs: periodMs,
      sequence: seq.toString(),
      cellRecords: [
        int(KPM.prbAvailDl, r.prbAvailDl),
        int(KPM.prbUsedDl, r.prbUsedDl),
        real(KPM.prbTotDl, r.prbTotDlPct),
        real(KPM.ueThpDl, r.thpDlKbps),
      ],
      ueRecords: r.ues.map((u) => ({
        ueId: u.ueId,
        records: [
          real(KPM.ueThpDl, u.thpDlKbps),
          real(KPM.prbUsedDl, u.prbUsedDl),
          int(KPM.cqi, u.cqi),
          real(KPM.sinr, u.sinrDb),
          real(KPM.rsrp, u.rsrpDbm),
          real(KPM.rsrq, u.rsrqDb),
        ],
      })),
    };
  }

  // -- the air ----------------------------------------------------------------------------

  private publishTransmission(c: TwinCell): void {
    const q = c.quota;
    const range = q ? prbRangeMHz(c.carrier, q.startPrb, q.nPrb) : prbRangeMHz(c.carrier, 0, 0);
    this.air.publishTransmission({
      cellId: c.cfg.id,
      operator: this.cfg.operator,
      on: c.on && q !== null && q.nPrb > 0,
      lowMHz: range.lowMHz,
      highMHz: range.highMHz,
      psdDbmPerPrb: psdPer180kHzDbm(c.carrier),
      updatedNs: nowNs().toString(),
    });
  }

  /** Other transmitters on the air now (fresh and well-formed entries only). */
  private readAir(): Interferer[] {
    const freshAfter = nowNs() - BigInt(STALE_AFTER_MS) * 1_000_000n;
    return this.air.transmissions().filter((t) => isInterferer(t) && !this.cells.has(t.cellId) && BigInt(t.updatedNs) >= freshAfter);
  }

  /** Every cell through the radio model against the air as it is now. */
  private evaluate(): Map<string, CellRadio> {
    const air = this.readAir();
    const out = new Map<string, CellRadio>();
    for (const c of this.cells.values()) {
      out.set(
        c.cfg.id,
        evaluateCell({
          cellId: c.cfg.id,
          operator: this.cfg.operator,
          carrier: c.carrier,
          on: c.on,
          quota: c.quota,
          ues: this.cfg.ues.filter((u) => u.cellId === c.cfg.id),
          air,
          noiseFigureDb: this.cfg.noiseFigureDb ?? DEFAULT_NOISE_FIGURE_DB,
        }),
      );
    }
    return out;
  }

  private publishUes(results: Map<string, CellRadio>, onlyCells?: string[]): void {
    const now = nowNs().toString();
    for (const [cellId, r] of results) {
      if (onlyCells && !onlyCells.includes(cellId)) continue;
      const c = this.cells.get(cellId)!;
      for (const u of r.ues) {
        this.air.publishUe({
          ueId: u.ueId,
          cellId,
          operator: this.cfg.operator,
          rat: c.cfg.rat,
          band: c.cfg.band,
          pci: c.cfg.pci,
          arfcn: c.arfcn,
          bandwidthMHz: c.cfg.bandwidthMHz,
          scsKHz: c.cfg.scsKHz,
          inService: u.inService,
          rsrpDbm: u.rsrpDbm,
          rsrqDb: u.rsrqDb,
          sinrDb: u.sinrDb,
          cqi: u.cqi,
          throughputKbps: u.thpDlKbps,
          updatedNs: now,
        });
      }
    }
  }
}


/**
 * `ranlab twin-gnb --config <file.json>`: run one twin base station in this process.
 *
 * Rejects with ConfigError for a bad config and ComponentError when it cannot listen.
 * Once listening it prints exactly one line to stdout,
 * `E2 agent <nodeId> listening on <host>:<port>`, and serves until SIGTERM, SIGINT or its
 * parent's lifeline (stdin) closes; then it turns every cell off (published to the air),
 * shuts the server down, resolves, and exits the process with code 0.
 */
export async function runTwinGnb(configPath: string): Promise<void> {
  let cfg: TwinGnbConfig;
  let gnb: TwinGnb;
  let host: string;
  let port: number;
  try {
    cfg = loadTwinGnbConfig(configPath);
    gnb = new TwinGnb(cfg);
    ({ host, port } = await gnb.start());
  } catch (err) {
    // The agent owns its process: exit 2 (bad config) or 3 (cannot listen) even if the
    // caller only prints the error and lets the process end.
    process.exitCode = exitCodeOf(err);
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () =>
      gnb.stop().finally(() => {
        resolve();
        setImmediate(() => process.exit(0));
      });
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    exitWithParent(() => stop());
    process.stdout.write(`E2 agent ${cfg.nodeId} listening on ${host}:${port}\n`);
  });
}
