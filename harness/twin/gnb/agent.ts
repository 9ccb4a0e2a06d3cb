// The twin base station's agent: each cell's state (on/off, PRB quota), what each cell
// transmits (published to the twin's shared air), and every KPM period each cell's
// measurements from the radio model against what the OTHER cells on the air transmit at that
// moment. It also writes each UE's serving-cell reading to the air for the twin modem.
//
// Safe state: every cell starts OFF with no PRB quota, and goes OFF again (published to the
// air) when the agent stops or its lease lapses. It serves no network itself: the RAN agent
// (`ranlab ran-agent --backend twin`) serves proto/e2.proto and calls these handlers.
import * as grpc from '@grpc/grpc-js';
import { messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import { carrierArfcn, prbCount, prbRangeMHz } from '../../nr/index.js';
import {
  KPM_RAN_FUNCTION,
  MAX_KPM_PERIOD_MS,
  MIN_KPM_PERIOD_MS,
  RC_RAN_FUNCTION,
  RpcError,
  type KpmStream,
  type WireCell,
  type WireClockAck,
  type WireClockAdvance,
  type WireControlAck,
  type WireControlRequest,
  type WireSetupResponse,
} from '../../wire/index.js';
import { Air, type AirTransmission } from '../air.js';
import {
  DEFAULT_GNB_NOISE_FIGURE_DB,
  DEFAULT_NOISE_FIGURE_DB,
  evaluateCell,
  psdPer180kHzDbm,
  type Carrier,
  type CellRadio,
  type Interferer,
} from '../radio.js';
import { AirWriter } from './air-writer.js';
import type { CellState } from './cell-state.js';
import { CellHistory } from './cell-state.js';
import { interferersAt } from './interferers.js';
import { realClock, VirtualClock, type NodeClock } from './clock.js';
import type { TwinGnbConfig } from './config.js';
import { streamKpm, type KpmStreamHandle } from './kpm-stream.js';

const log = childLog('twin.gnb');

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
  /** On/off and PRB quota, with the state before the last change. */
  state: CellHistory;
}

export class TwinGnb {
  private readonly cells = new Map<string, TwinCell>();
  private readonly air: Air;
  /** Publishes applied controls and heartbeats to the air in the background. */
  private readonly writer: AirWriter;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly subscriptions = new Set<KpmStreamHandle>();
  private stopping: Promise<void> | null = null;
  /** The last figures and what they were figured from (evaluate()). */
  private lastEvaluation: { key: string; results: Map<string, CellRadio> } | null = null;
  /** Virtual time: the air as read once at the start of an advance. */
  private airSnapshot: AirTransmission[] | null = null;
  /** The host's clock, or the controller's virtual one (cfg.clock). */
  private readonly clock: NodeClock;

  constructor(readonly cfg: TwinGnbConfig) {
    this.clock = cfg.clock === 'virtual' ? new VirtualClock() : realClock;
    this.air = new Air(cfg.airDir);
    this.writer = new AirWriter(
      this.air,
      (id) => this.transmissionOf(this.cells.get(id)!),
      // Virtual time: the modems read the air after each advance, which publishes it (advance()).
      () => {
        if (!this.clock.virtual) this.publishUes(this.evaluate());
      },
      cfg.nodeId,
    );
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
          mimoLayersDl: c.mimoLayersDl ?? 1,
          mimoLayersUl: c.mimoLayersUl ?? 1,
        },
        arfcn: c.arfcn ?? carrierArfcn(c.rat, c.band, c.carrierMHz),
        state: new CellHistory(),
      });
    }
  }

  /** Publish every cell (off) to the air and keep the air fresh. */
  async start(): Promise<void> {
    for (const c of this.cells.values()) this.publishTransmission(c);
    this.publishUes(this.evaluate());
    // Virtual time: each advance refreshes the air instead (advance()).
    if (this.clock.virtual) return;
    this.heartbeat = setInterval(() => {
      try {
        for (const id of this.cells.keys()) this.writer.mark(id);
        this.publishUes(this.evaluate());
      } catch (err) {
        log.error({ node: this.cfg.nodeId, err: messageOf(err) }, 'heartbeat failed');
      }
    }, HEARTBEAT_MS);
  }

  /** The radio's safe state: every cell off (published to the air); quotas kept. */
  async safeState(): Promise<void> {
    for (const c of this.cells.values()) {
      c.state.set({ on: false }, this.clock.nowNs());
      this.publishTransmission(c);
    }
    this.publishUes(this.evaluate());
  }

  /** Cells off (published to the air), streams ended, server shut down. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      for (const c of this.cells.values()) c.state.set({ on: false }, this.clock.nowNs());
      // The background writer finishes first (it now publishes "off" too), then "off" is
      // written synchronously, so nothing older can land after it.
      await this.writer.settled();
      for (const c of this.cells.values()) {
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
      this.air.close();
      log.info({ node: this.cfg.nodeId }, 'twin gNB stopped, cells off');
    })();
    return this.stopping;
  }

  // -- handlers ---------------------------------------------------------------------------

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
      on: c.state.now.on,
      arfcn: c.arfcn,
    };
  }

  setup(): WireSetupResponse {
    return {
      globalNodeId: this.cfg.nodeId,
      operator: this.cfg.operator,
      cells: [...this.cells.values()].map((c) => this.wireCell(c)),
      ranFunctions: [KPM_RAN_FUNCTION, RC_RAN_FUNCTION],
      nodeTimeNs: this.clock.nowNs().toString(),
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

  control(req: WireControlRequest, client: string): WireControlAck | Promise<WireControlAck> {
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
      const at = this.clock.nowNs();
      c.state.set({ quota: q.nPrb > 0 ? { startPrb: q.startPrb, nPrb: q.nPrb } : null }, at);
      this.writer.mark(c.cfg.id);
      log.info({ node: this.cfg.nodeId, cell: c.cfg.id, startPrb: q.startPrb, nPrb: q.nPrb, client }, 'PRB quota applied');
      return this.acked({ cellId: c.cfg.id, effectiveTimeNs: at.toString() });
    }
    if (req.action === 'cellState' && req.cellState) {
      const c = this.cell(req.cellState.cellId);
      if (this.stopping) return { cellId: c.cfg.id, failure: { cause: 'NODE_SHUTTING_DOWN', message: 'the node is stopping' } };
      const at = this.clock.nowNs();
      c.state.set({ on: req.cellState.on === true }, at);
      this.writer.mark(c.cfg.id, true);
      log.info({ node: this.cfg.nodeId, cell: c.cfg.id, on: c.state.now.on, client }, 'cell state applied');
      const ack = { cellId: c.cfg.id, effectiveTimeNs: at.toString() };
      // Off is the safe state: acknowledged only once the other cells on the air see it.
      return c.state.now.on ? this.acked(ack) : this.writer.settled().then(() => ack);
    }
    throw new RpcError(grpc.status.INVALID_ARGUMENT, 'control request has no action (expected prb_quota or cell_state)');
  }

  /**
   * Real time: the ack goes out at once (the air follows within a turn of the event loop).
   * Virtual time: only once the change is on the air, so the next advance of every node
   * figures against it whatever order the nodes are advanced in.
   */
  private acked(ack: WireControlAck): WireControlAck | Promise<WireControlAck> {
    return this.clock.virtual ? this.writer.settled().then(() => ack) : ack;
  }

  /**
   * Virtual time only: move the node's clock to `toNs` and send every KPM period that has
   * ended by then (stamped in virtual time); resolves once they are written to the streams.
   */
  async advance(req: WireClockAdvance): Promise<WireClockAck> {
    if (typeof req.toNs !== 'string' || !/^\d{1,20}$/.test(req.toNs)) throw new RpcError(grpc.status.INVALID_ARGUMENT, 'to_ns is not a uint64');
    const toNs = BigInt(req.toNs);
    if (!(this.clock instanceof VirtualClock)) throw new RpcError(grpc.status.FAILED_PRECONDITION, `node ${this.cfg.nodeId} runs on real time (its config has no clock: virtual)`);
    if (this.stopping) throw new RpcError(grpc.status.UNAVAILABLE, 'the node is stopping');
    if (!this.clock.advanceTo(toNs)) throw new RpcError(grpc.status.INVALID_ARGUMENT, `cannot go back in time: node ${this.cfg.nodeId} is at ${this.clock.nowNs()} ns, asked for ${toNs} ns`);
    // The heartbeat of virtual time: the node is alive up to toNs, so its transmissions are fresh.
    for (const c of this.cells.values()) this.publishTransmission(c);
    let indications = 0;
    // Nothing changes on the air while every node advances (controls come between advances): read it once.
    this.airSnapshot = this.air.transmissions();
    try {
      for (const s of [...this.subscriptions]) indications += await s.advanceTo(toNs);
      this.publishUes(this.evaluate(toNs - 1n));
    } finally {
      this.airSnapshot = null;
    }
    return { nodeTimeNs: toNs.toString(), indications: String(indications) };
  }

  subscribe(call: KpmStream): void {
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

    const sub = streamKpm(call, {
      nodeId: this.cfg.nodeId,
      periodMs: period,
      cellIds,
      clock: this.clock,
      evaluate: (atNs) => {
        const results = this.evaluate(atNs);
        // Virtual time: the modems read the air after the advance, so only its last state is published (advance()).
        if (!this.clock.virtual) this.publishUes(results, cellIds);
        return results;
      },
      onEnd: () => this.subscriptions.delete(sub),
    });
    this.subscriptions.add(sub);
    log.info({ node: this.cfg.nodeId, period, cells: cellIds }, 'KPM subscription');
  }

  // -- the air ----------------------------------------------------------------------------

  private publishTransmission(c: TwinCell): void {
    this.air.publishTransmission(this.transmissionOf(c));
  }

  private transmissionOf(c: TwinCell): AirTransmission {
    const onAir = (s: CellState) => {
      const q = s.quota;
      const range = q ? prbRangeMHz(c.carrier, q.startPrb, q.nPrb) : prbRangeMHz(c.carrier, 0, 0);
      return { on: s.on && q !== null && q.nPrb > 0, lowMHz: range.lowMHz, highMHz: range.highMHz };
    };
    const before = c.state.previous();
    return {
      cellId: c.cfg.id,
      operator: this.cfg.operator,
      ...onAir(c.state.now),
      psdDbmPerPrb: psdPer180kHzDbm(c.carrier),
      updatedNs: this.clock.nowNs().toString(),
      sinceNs: c.state.sinceNs.toString(),
      ...(before ? { before: onAir(before) } : {}),
    };
  }

  /** Other transmitters on the air at `atNs` (fresh and well-formed entries only). */
  private readAir(atNs: bigint): Interferer[] {
    return interferersAt(this.airSnapshot ?? this.air.transmissions(), (id) => this.cells.has(id), atNs, STALE_AFTER_MS);
  }

  /** Every cell through the radio model against the air, as both were at `atNs` (default now). */
  private evaluate(atNs = this.clock.nowNs()): Map<string, CellRadio> {
    const air = this.readAir(atNs);
    // The model has no time in it: the same cell states against the same air give the same
    // figures, so a period like the one before (no control in between) reuses them.
    const key = JSON.stringify([
      [...this.cells.values()].map((c) => c.state.at(atNs)),
      air.map((t) => [t.cellId, t.operator, t.on, t.lowMHz, t.highMHz, t.psdDbmPerPrb]),
    ]);
    if (this.lastEvaluation?.key === key) return this.lastEvaluation.results;
    const out = new Map<string, CellRadio>();
    this.lastEvaluation = { key, results: out };
    for (const c of this.cells.values()) {
      const state = c.state.at(atNs);
      out.set(
        c.cfg.id,
        evaluateCell({
          cellId: c.cfg.id,
          operator: this.cfg.operator,
          carrier: c.carrier,
          on: state.on,
          quota: state.quota,
          ues: this.cfg.ues.filter((u) => u.cellId === c.cfg.id),
          air,
          noiseFigureDb: this.cfg.noiseFigureDb ?? DEFAULT_NOISE_FIGURE_DB,
          gnbNoiseFigureDb: this.cfg.gnbNoiseFigureDb ?? DEFAULT_GNB_NOISE_FIGURE_DB,
        }),
      );
    }
    return out;
  }

  private publishUes(results: Map<string, CellRadio>, onlyCells?: string[]): void {
    const now = this.clock.nowNs().toString();
    for (const [cellId, r] of results) {
      if (onlyCells && !onlyCells.includes(cellId)) continue;
      const c = this.cells.get(cellId)!;
      for (const u of r.ues) {
        this.air.publishUe({
          ueId: u.ueId,
          cellId,
          operator: this.cfg.operator,
          ...(this.cfg.plmn ? { plmn: this.cfg.plmn } : {}),
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
          ulThroughputKbps: u.thpUlKbps,
          ulSinrDb: u.sinrUlDb,
          txPowerDbm: u.puschPowerDbm,
          updatedNs: now,
        });
      }
    }
  }
}
