// The srsran-project backend: one srsRAN Project gNB (one cell, its operator's one slice).
// Managed mode: the agent writes the YAML, starts the gnb, waits for its readiness lines, and
// retunes by restarting it; attach mode: the lab started the gNB, the agent applies quotas and
// reads metrics over its remote control, and refuses a carrier change. A PRB ratio quota is
// acknowledged only once the scheduler's metrics show the cell keeping within it.
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { messageOf } from '../../errors.js';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { childLog } from '../../log.js';
import { nowNs } from '../../measure/types.js';
import { nrArfcn, prbCount } from '../../nr/index.js';
import { KPM_RAN_FUNCTION, RC_RAN_FUNCTION, RpcError, type KpmStream, type WireControlAck, type WireControlRequest, type WireSetupResponse } from '../../wire/index.js';
import type { AgentSettings, RanBackend } from '../agent/backend.js';
import type { SrsranConfig } from './config.js';
import { parseFrame, type CellSample, type Frame } from './frames.js';
import { streamSrsranKpm } from './kpm.js';
import { checkUsrp } from './radio.js';
import { endGnb, startGnb, type GnbProcess } from './process.js';
import { RemoteControlClient } from './remote.js';
import { checkGnbBinary, describeGnbVersion, type GnbVersion } from './version.js';
import { gnbYaml, splitHostPort, type Carrier } from './yaml.js';

const log = childLog('ran.srsran');

export class SrsranProjectBackend implements RanBackend {
  carrier: Carrier;
  ratioPct = 100;
  on = false;
  /** The latest scheduler report for the cell and when it came (ms, performance.now()). */
  sample: { cell: CellSample; atMs: number } | null = null;
  private gnb: GnbProcess | null = null;
  private remote: RemoteControlClient | null = null;
  private udp: Socket | null = null;
  /** Metrics messages of an unknown shape, by what was wrong, and how many (reported, never fatal). */
  readonly unknown = new Map<string, number>();
  private readonly waiters = new Set<(c: CellSample) => void>();
  private readonly subs = new Set<{ stop(end: boolean): void }>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** What the radio check on this host found (managed UHD radios, before the gNB owns the USRP). */
  radioStatus = '';
  /** What the gnb binary says it is (managed mode), and why it may not be started when it is not what the configuration says. */
  gnbVersion: GnbVersion | null = null;
  gnbProblem = '';

  constructor(
    readonly cfg: SrsranConfig,
    readonly settings: AgentSettings,
  ) {
    this.carrier = { carrierMHz: cfg.cell.carrierMHz, bandwidthMHz: cfg.cell.bandwidthMHz };
  }

  unknownCount(): number {
    let n = 0;
    for (const v of this.unknown.values()) n += v;
    return n;
  }

  get prbTotal(): number {
    return prbCount('NR', this.carrier.bandwidthMHz, this.cfg.cell.scsKHz);
  }

  /** PRBs the slice may use under the current ratio. */
  get quotaPrb(): number {
    return Math.floor((this.prbTotal * this.ratioPct) / 100);
  }

  async start(): Promise<void> {
    if (this.cfg.gnb && this.cfg.mode === 'managed') {
      // A gnb that is missing, mute or of another release is reported through E2 Setup (preflight fails on it) and never started.
      const c = await checkGnbBinary(this.cfg.gnb, this.cfg.version);
      this.gnbVersion = c.version;
      this.gnbProblem = c.problem;
      if (c.problem) log.error({ node: this.settings.nodeId, problem: c.problem }, 'gNB binary check failed');
      else log.info({ node: this.settings.nodeId, binary: this.cfg.gnb.binary, version: c.version!.line }, 'gNB binary checked');
    }
    if (this.cfg.mode === 'managed' && this.cfg.radio.deviceDriver === 'uhd') this.radioStatus = await checkUsrp(this.settings.nodeId, this.cfg.radio.deviceArgs, this.cfg.radio.requireRefLock);
    if (this.cfg.version === '25.04') await this.listenUdp();
    if (this.cfg.mode === 'attach') {
      await this.connect();
      this.on = true;
    }
  }

  // -- metrics ---------------------------------------------------------------------------

  private onFrame = (f: Frame, text: string): void => {
    if (f.kind === 'cells') {
      const cell = f.cells.find((c) => c.pci === undefined || c.pci === this.cfg.cell.pci) ?? f.cells[0];
      if (!cell) return;
      this.sample = { cell, atMs: performance.now() };
      for (const e of cell.events) log.info({ node: this.settings.nodeId, rnti: e.rnti, event: e.type }, 'UE event');
      for (const w of [...this.waiters]) w(cell);
    } else if (f.kind === 'unknown') {
      // Reported, never fatal: a newer gNB may send kinds this agent does not know.
      const n = (this.unknown.get(f.why) ?? 0) + 1;
      this.unknown.set(f.why, n);
      if (n === 1) log.warn({ node: this.settings.nodeId, why: f.why, frame: text.slice(0, 200) }, 'metrics frame of an unknown shape ignored');
    }
  };

  private async listenUdp(): Promise<void> {
    const [host, port] = splitHostPort(this.cfg.metricsUdp!.address);
    const s = createSocket('udp4');
    s.on('message', (msg) => this.onFrame(parseFrame(msg.toString('utf8')), msg.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, host, () => resolve());
    });
    this.udp = s;
  }

  private async connect(): Promise<void> {
    const url = `ws://${this.cfg.remoteControl.address}/`;
    const remote = new RemoteControlClient(url, this.onFrame, () => {
      if (this.remote === remote && this.cfg.mode === 'attach') {
        log.warn({ node: this.settings.nodeId }, 'the gNB closed its remote control: cell considered off');
        this.on = false;
      }
    });
    await remote.connect(5000);
    this.remote = remote;
    if (this.cfg.version === '25.10') await remote.command({ cmd: 'metrics_subscribe' });
  }

  /** The next scheduler report satisfying `ok`, or null after timeoutMs. */
  private nextSample(ok: (c: CellSample) => boolean, timeoutMs: number): Promise<CellSample | null> {
    return new Promise((resolve) => {
      const w = (c: CellSample) => {
        if (!ok(c)) return;
        this.waiters.delete(w);
        clearTimeout(t);
        resolve(c);
      };
      const t = setTimeout(() => {
        this.waiters.delete(w);
        resolve(null);
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  // -- the gNB process (managed) -----------------------------------------------------------

  private async launch(): Promise<void> {
    const g = this.cfg.gnb!;
    if (this.gnbProblem) throw new Error(this.gnbProblem);
    mkdirSync(g.workDir, { recursive: true });
    const yamlPath = join(g.workDir, 'gnb.yaml');
    writeFileSync(yamlPath, gnbYaml(this.cfg, this.carrier, this.ratioPct));
    this.gnb = await startGnb({ binary: g.binary, args: g.args, extraArgs: g.extraArgs, yamlPath, logPath: join(g.workDir, 'gnb.log'), needN2: !('noCore' in this.cfg.core), timeoutMs: g.readyTimeoutMs });
    const gnb = this.gnb;
    void gnb.exited.then((code) => {
      if (this.gnb === gnb) {
        log.warn({ node: this.settings.nodeId, code }, 'the gNB exited');
        this.gnb = null;
        this.on = false;
      }
    });
    await this.connect();
    this.on = true;
    log.info({ node: this.settings.nodeId, carrier: this.carrier, ratioPct: this.ratioPct }, 'gNB started');
  }

  /** `quit` over the remote control, then the process (SIGTERM, SIGKILL) within bounds. */
  private async halt(): Promise<void> {
    this.on = false;
    const remote = this.remote;
    this.remote = null;
    if (remote && !remote.closed) await remote.command({ cmd: 'quit' }, 1500).catch(() => undefined);
    remote?.close();
    const gnb = this.gnb;
    this.gnb = null;
    if (gnb) await endGnb(gnb, 3000);
    this.sample = null;
  }

  // -- E2 ----------------------------------------------------------------------------------

  setup(): WireSetupResponse {
    const c = this.cfg.cell;
    return {
      globalNodeId: this.settings.nodeId,
      operator: this.settings.operator,
      cells: [
        {
          cellId: c.id,
          rat: 'NR',
          band: c.band,
          carrierMhz: this.carrier.carrierMHz,
          bandwidthMhz: this.carrier.bandwidthMHz,
          scsKhz: c.scsKHz,
          pci: c.pci,
          prbTotal: this.prbTotal,
          on: this.on,
          arfcn: nrArfcn(this.carrier.carrierMHz),
          grants: 'CARRIER_AND_RATIO',
        },
      ],
      ranFunctions: [KPM_RAN_FUNCTION, RC_RAN_FUNCTION],
      nodeTimeNs: nowNs().toString(),
      baseStation: `srsRAN Project ${this.cfg.version}, ${this.cfg.mode}${this.cfg.gnb ? `, ${this.cfg.gnb.binary}` : ''} (${this.on ? 'running' : 'stopped'})${this.gnbProblem ? `; ${this.gnbProblem}` : ''}${this.radioStatus ? `; ${this.radioStatus}` : ''}${this.unknownCount() ? `; ${this.unknownCount()} metrics messages of an unknown shape ignored` : ''}`,
      ...(this.gnbVersion ? { baseStationVersion: describeGnbVersion(this.gnbVersion) } : {}),
    };
  }

  /** Controls run one after another: a restart and a quota never overlap. */
  control(req: WireControlRequest, client: string): Promise<WireControlAck> {
    const next = this.queue.catch(() => undefined).then(() => this.controlNow(req, client));
    this.queue = next;
    return next;
  }

  private cellIdOf(id: unknown): string {
    if (id !== this.cfg.cell.id) throw new RpcError(grpc.status.NOT_FOUND, `no cell ${JSON.stringify(String(id).slice(0, 64))} at node ${this.settings.nodeId} (cells: ${this.cfg.cell.id})`);
    return id;
  }

  private async controlNow(req: WireControlRequest, client: string): Promise<WireControlAck> {
    if (req.ranFunctionId !== RC_RAN_FUNCTION.id) throw new RpcError(grpc.status.INVALID_ARGUMENT, `ran_function_id ${req.ranFunctionId} is not E2SM-RC (${RC_RAN_FUNCTION.id})`);
    const done = (cellId: string): WireControlAck => ({ cellId, effectiveTimeNs: nowNs().toString() });
    const failure = (cellId: string, message: string): WireControlAck => ({ cellId, failure: { cause: 'RADIO_FAILURE', message } });
    if (this.stopped) return { cellId: this.cfg.cell.id, failure: { cause: 'NODE_SHUTTING_DOWN', message: 'the agent is stopping' } };
    const { applyControl } = await import('./control.js');
    return applyControl(this, req, client, { done, failure, cellIdOf: (id) => this.cellIdOf(id) });
  }

  // Used by control.ts.
  async switchOn(): Promise<void> {
    if (this.on) return;
    if (this.cfg.mode === 'attach') {
      if (!this.remote || this.remote.closed) await this.connect();
      this.on = true;
      return;
    }
    await this.launch();
  }
  async switchOff(): Promise<void> {
    await this.halt();
  }
  async retune(c: Carrier): Promise<void> {
    const wasOn = this.on;
    if (wasOn) await this.halt();
    this.carrier = c;
    if (wasOn) await this.launch();
  }
  async sendRatio(pct: number): Promise<void> {
    const s = this.cfg.slice;
    await this.remote!.command({
      cmd: 'rrm_policy_ratio_set',
      policies: { resourceType: 'PRB', rRMPolicyMemberList: [{ plmn: this.cfg.plmn, sst: s.sst, ...(s.sd === undefined ? {} : { sd: s.sd }) }], min_prb_policy_ratio: 0, max_prb_policy_ratio: pct, dedicated_ratio: 0 },
    });
  }
  waitSample(ok: (c: CellSample) => boolean, timeoutMs: number): Promise<CellSample | null> {
    return this.nextSample(ok, timeoutMs);
  }

  subscribe(call: KpmStream): void {
    const sub: { stop(end: boolean): void } | null = streamSrsranKpm(call, this, () => {
      if (sub) this.subs.delete(sub);
    });
    if (sub) this.subs.add(sub);
  }

  async safeState(reason: string): Promise<void> {
    log.warn({ node: this.settings.nodeId, reason }, 'safe state: gNB stopped');
    await this.queue.catch(() => undefined);
    await this.halt();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of [...this.subs]) s.stop(true);
    await this.halt();
    this.udp?.close();
  }
}
