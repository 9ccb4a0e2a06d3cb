// A rig session: bring-up (start or attach every component and check each is reachable
// before any control is sent), supervision (a child that dies fails the session with its
// name), and a teardown that always runs: cells off, measurements flushed, children stopped.
// Trial kinds (strategies, in labgrid's terms) run inside a session.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeTrialCerts, readTlsFiles } from '../certs/index.js';
import { ComponentError, ConfigError, InterruptedError, messageOf } from '../errors.js';
import { childLog, log as rootLog } from '../log.js';
import { Ledger, type OperatorKey } from '../ledger/index.js';
import { destinationSpool, hostClock, InfluxSink, VirtualTime, type Clock, type ClockKind, removeIfEmpty, startEmbeddedInflux, type EmbeddedInflux, type Point } from '../measure/index.js';
import { startGpuSampler, type GpuSampler } from '../../native/index.js';
import { packageRoot } from '../paths.js';
import { preflightError, preflightPassed, runPreflight } from '../preflight/index.js';
import { Supervisor, withholdFromChildren } from '../proc/index.js';
import { runTeardown, type TeardownResult } from './teardown.js';
import { startSrsranAgent, startTwinGnb, type AgentContext } from './agents.js';
import { createBaseStation, type BaseStation, type SetupInfo } from '../ran/index.js';
import { DEFAULT_LEASE_MS } from '../ran/agent/config.js';
import { agentStartedHere, type Rig, type RigBaseStation, type RigUe } from '../rig/index.js';
import { startTwinModem } from '../twin/modem.js';
import { AtModemUe, eventPoints, toPoints, type Ue } from '../ue/index.js';
import { runUeAuction, type UeMarketState } from './uemarket.js';

const log = childLog('session');
/** For parts whose messages the session words itself. */
const quiet = rootLog.child({}, { level: 'silent' });

export interface SessionOptions {
  trialId: string;
  /** results/<trial-id>/ */
  resultsDir: string;
  /** Where embedded services keep state (influx data survives runs, so old trials stay queryable). */
  stateDir?: string;
  /** Human progress lines (bring-up steps); the CLI prints them on stderr. */
  say?: (line: string) => void;
  /** Aborts waits that bring-up cannot race (the embedded influxd's data folder lock). */
  signal?: AbortSignal;
  /** Bring up the ledger (default true; an offload-only trial decides nothing on it). */
  ledger?: boolean;
  /** The twin's time: real (default), or virtual, advanced by the trial (twin rigs only). */
  clock?: ClockKind;
}

export interface ConnectedBs {
  rig: RigBaseStation;
  driver: BaseStation;
  setup: SetupInfo;
  /** False once it has failed: teardown does not wait on it. */
  alive: boolean;
}

export class RigSession {
  readonly supervisor = new Supervisor();
  readonly basestations = new Map<string, ConnectedBs>();
  /** UEs driven through their own drivers (AT modems: real, or twin modems on ptys). */
  readonly ues = new Map<string, Ue>();
  ledger!: Ledger;
  sink!: InfluxSink;
  gpu: GpuSampler | null = null;
  /** The embedded influxd this session started (stopped after the sink's last flush). */
  influx: EmbeddedInflux | null = null;
  influxUrl = '';
  /** The UE market's contracts and payments (trial.ueMarket), from bring-up on. */
  ueMarket: UeMarketState | null = null;
  private failure: ComponentError | InterruptedError | null = null;
  private failureListeners: ((err: Error) => void)[] = [];
  /** Resolves never; rejects with the first component failure. Race long waits against it. */
  readonly failed: Promise<never>;
  private tornDown = false;
  /** The trial's time: the host's, or virtual time the trial advances (twin agents follow it). */
  readonly clock: Clock;
  /** Every bring-up branch, settled (teardown waits for it, so nothing starts after it). */
  private bringing: Promise<unknown> | null = null;
  /** Bring-up finished. */
  private up = false;
  /** The first failure of a bring-up branch. */
  private bringUpError: Error | null = null;

  constructor(
    readonly rig: Rig,
    readonly opts: SessionOptions,
  ) {
    // Operators' keys stay in this process: no child (influxd, chain, agents, modems) inherits them.
    this.clock = opts.clock === 'virtual' ? new VirtualTime() : hostClock;
    withholdFromChildren(rig.operators.flatMap((o) => ('keyEnv' in o.account ? [o.account.keyEnv] : [])));
    this.failed = new Promise<never>((_, reject) => this.failureListeners.push(reject));
    this.failed.catch(() => undefined);
    this.supervisor.onUnexpectedExit((name, detail) => {
      // A twin modem process is the modem itself: losing it is like unplugging the modem,
      // which the UE driver reports; only a required UE's loss ends the trial.
      const ue = name.startsWith('twin-modem-') ? rig.ues.find((u) => `twin-modem-${u.id}` === name) : undefined;
      if (ue && !ue.required) return;
      this.fail(new ComponentError(ue?.id ?? name, `process ${detail} ${this.up ? 'mid-trial' : 'during bring-up'}`, 'PROCESS_DIED'));
    });
  }

  get trialId(): string {
    return this.opts.trialId;
  }

  /** The first failure, if any. */
  get failureError(): ComponentError | InterruptedError | null {
    return this.failure;
  }

  /** Record a component failure; the first one wins and wakes everything racing `failed`. */
  fail(err: ComponentError | InterruptedError): void {
    const bs = err instanceof ComponentError ? this.basestations.get(err.component) : undefined;
    if (bs) bs.alive = false;
    if (this.failure) return;
    this.failure = err;
    log.error({ code: err.code }, err.message);
    for (const l of this.failureListeners) l(err);
  }

  /** Await p, unless a component fails first. */
  race<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.failed]);
  }

  private say(line: string): void {
    this.opts.say?.(line);
  }

  /** Tags every point of this trial carries. */
  baseTags(): { rig: string; trial: string } {
    return { rig: this.rig.name, trial: this.trialId };
  }

  /** Points written before the sink exists (a modem's events while influxd starts): written once it does. */
  private early: Point[] = [];

  write(points: Point[]): void {
    if (this.sink) this.sink.write(points);
    else this.early.push(...points);
  }

  /**
   * Starts every component at once; only real dependencies wait: the sink for the influxd it
   * writes to, the UE market's auction for the ledger (and the agents and modems that serve its
   * winners for the auction), and a lab's own influx and ledger, when the rig names them, are
   * checked reachable before any radio or modem is started. The first failure (naming its
   * component) is the error, thrown only once every branch has settled, so teardown finds
   * everything that was started; the other branches stop at their next step.
   */
  async bringUp(): Promise<void> {
    const { rig } = this;
    mkdirSync(this.opts.resultsDir, { recursive: true });
    // 0. Drivers this build has, and the hardware preflight checks (radios, modems, edge hosts):
    // nothing starts if one fails.
    for (const bs of rig.basestations)
      if (!['twin', 'e2', 'srsran-project'].includes(bs.driver))
        throw new ConfigError(`base station ${bs.id}: driver "${bs.driver}" is not implemented yet (use twin, e2 or srsran-project)`, 'DRIVER_UNAVAILABLE');
    for (const u of rig.ues)
      if (u.driver === 'srsue') throw new ConfigError(`UE ${u.id}: driver "srsue" is not implemented yet (use at-modem or twin)`, 'DRIVER_UNAVAILABLE');
    // The controller's certificate for lab agents: a missing or exposed file fails before anything starts.
    if (rig.tls) readTlsFiles(rig.tls, 'controller');
    // The hardware preflight checks (radios, modems, edge hosts): nothing starts if one fails.
    const hw = await runPreflight(rig, { hardwareOnly: true });
    if (!preflightPassed(hw)) throw preflightError(hw);
    const stateDir = this.opts.stateDir ?? join(packageRoot, '.ranlab');
    const airDir = join(this.opts.resultsDir, 'air');

    const branch = <T>(p: Promise<T>): Promise<T> => {
      void p.catch((err: unknown) => {
        this.bringUpError ??= err as Error;
      });
      return p;
    };
    // Children first: the agents' and modems' processes are spawned before the embedded ledger's
    // in-process work (loading the EVM, deploying) takes this thread, so they boot meanwhile.
    let radiosSpawned!: () => void;
    let modemsSpawned!: () => void;
    const spawned = Promise.all([new Promise<void>((r) => (radiosSpawned = r)), new Promise<void>((r) => (modemsSpawned = r))]);
    // 1. The measurement store (nothing is measured before it is known reachable) and 2. the ledger.
    const influx = branch(this.bringUpInflux(stateDir));
    const withLedger = this.opts.ledger !== false;
    // The radios wait for a lab ledger, and for the UE market's auction: then it cannot wait for them.
    const ledgerFirst = !rig.ledger.embedded || !!rig.trial.ueMarket;
    const ledger = withLedger
      ? branch(
          (async () => {
            if (!ledgerFirst) await spawned;
            await this.bringUpLedger();
          })(),
        )
      : Promise.resolve();
    // A lab's own services are a quick answer: no radio is powered for a trial that could neither record nor decide.
    const labServices = Promise.all([rig.influx.embedded ? null : influx, withLedger && !rig.ledger.embedded ? ledger : null]);
    // The UE market's winners decide which station serves a UE and which PLMN it selects.
    const auction = withLedger && rig.trial.ueMarket ? ledger : Promise.resolve();
    // 3. Base stations and 4. modems.
    const radios = branch(
      (async () => {
        try {
          await labServices;
          await auction;
          await this.bringUpRadios(airDir, radiosSpawned);
        } finally {
          radiosSpawned();
        }
      })(),
    );
    const modems = branch(
      (async () => {
        try {
          await labServices;
          await this.bringUpModems(airDir, Promise.all([influx, auction]), modemsSpawned, radios);
        } finally {
          modemsSpawned();
        }
      })(),
    );
    this.bringing = Promise.allSettled([influx, ledger, radios, modems]);
    await this.bringing;
    if (this.bringUpError) throw this.bringUpError;
    this.up = true;
  }

  /** Thrown between bring-up steps once another branch failed (or a child died): stop starting things. */
  private checkBringUp(): void {
    const err = this.bringUpError ?? this.failure;
    if (err) throw err;
  }

  private async bringUpInflux(stateDir: string): Promise<void> {
    const { rig } = this;
    if (rig.influx.embedded) {
      this.say('starting embedded influxd ...');
      this.influx = await startEmbeddedInflux(this.supervisor, {
        dataDir: join(stateDir, 'influx'),
        database: rig.influx.database,
        signal: this.opts.signal,
        onWait: (m) => this.say(m),
      });
      this.influxUrl = this.influx.url;
    } else this.influxUrl = rig.influx.url!;
    this.checkBringUp();
    // The spool is the destination's, under the state folder: what an earlier run could not
    // write there is delivered now, and what this one cannot is delivered by the next.
    const spool = destinationSpool(stateDir, { url: this.influxUrl, database: rig.influx.database, embedded: rig.influx.embedded === true }, this.trialId);
    if (spool.adopted > 0) this.say(`delivering ${spool.adopted} spool segment(s) left by earlier runs for this InfluxDB`);
    const sink = new InfluxSink({ url: this.influxUrl, database: rig.influx.database, spoolDir: spool.dir });
    sink.write(this.early.splice(0));
    this.sink = sink;
    // The embedded server was checked as it started (it answered /ping and made the database).
    if (rig.influx.embedded) await this.sink.opened();
    else await this.sink.checkReachable();
    this.say(`influx ready at ${this.influxUrl} (database ${rig.influx.database})`);
    this.checkBringUp();
    // GPU telemetry of this host, when it has NVIDIA GPUs; without NVML it says so once and the trial goes on.
    this.gpu = await startGpuSampler({ periodMs: 1000, sink: this.sink, tags: { ...this.baseTags(), host: hostname() }, logger: quiet });
    this.say(this.gpu.available ? `sampling ${this.gpu.gpus.length} GPU(s) through NVML` : `NVML not available: ${this.gpu.reason} (GPU telemetry off)`);
  }

  private async bringUpLedger(): Promise<void> {
    const { rig } = this;
    const operators = rig.operators.map((o) => o.name);
    if (rig.ledger.embedded) {
      this.say('starting embedded ledger (dev EVM chain) and deploying the contract ...');
      const ues = rig.trial.ueMarket ? rig.ues.map((u) => ({ name: u.id, tokens: u.tokens })) : undefined;
      // Offload kinds' compute market: deployed with the ledger, on its chain, in its token.
      const computeMarket = rig.trial.kind !== 'spectrum' && rig.offload?.market !== undefined;
      this.ledger = await Ledger.embedded(this.supervisor, { operators, dataDir: join(this.opts.resultsDir, 'chain'), spectrum: rig.spectrum, ues, computeMarket });
    } else {
      const keys: OperatorKey[] = rig.operators.map((o) => ({ name: o.name, account: o.account }));
      this.ledger = Ledger.attach({ rpcUrl: rig.ledger.rpc!, contract: rig.ledger.contract! as `0x${string}`, operators: keys });
    }
    await this.ledger.checkReachable();
    this.say(`ledger ready (${this.ledger.describe()})`);
    // 2b. The UE market: each UE's contract decides which base station serves it.
    if (rig.trial.ueMarket) {
      this.checkBringUp();
      this.ueMarket = await runUeAuction(rig, this.ledger);
      for (const c of this.ueMarket.contracts.values())
        this.say(c.winner ? `UE ${c.ue}: ${c.winner} wins (${c.minDlKbps} kbit/s target), served by ${c.bs}` : `UE ${c.ue}: no offer meets ${c.minDlKbps} kbit/s; stays on ${c.bs}, unpaid`);
    }
  }

  private async bringUpRadios(airDir: string, spawned: () => void): Promise<void> {
    const { rig } = this;
    this.checkBringUp();
    const labTls = rig.tls ? readTlsFiles(rig.tls, 'controller') : null;

    // 3. Base stations: every agent started at once, then E2 setup with each (reachability) before any control.
    // Every agent requires the controller's client certificate: the twin's are made for this
    // trial (results/<trial>/certs, 0700), a lab's come from the rig (ranlab certs init).
    // On a twin rig the controller starts every agent itself (srsran-project ones drive the stand-in gNB).
    const startsHere = (b: RigBaseStation) => agentStartedHere(rig, b);
    const twins = rig.basestations.filter(startsHere).map((b) => b.id);
    const certs = twins.length ? await makeTrialCerts(join(this.opts.resultsDir, 'certs'), twins) : null;
    // Every agent's process is spawned here, before the first await.
    const addresses = rig.basestations.map((bs) =>
      !startsHere(bs) ? Promise.resolve(bs.address!) : bs.driver === 'twin' ? startTwinGnb(this.agentContext(), bs, airDir, certs!.agents.get(bs.id)!) : startSrsranAgent(this.agentContext(), bs, airDir, certs!.agents.get(bs.id)!),
    );
    spawned();
    await Promise.all(
      rig.basestations.map(async (bs, i) => {
        const address = await addresses[i]!;
        this.checkBringUp();
        const tls = startsHere(bs) ? readTlsFiles(certs!.controller, 'controller') : labTls!;
        // An srsRAN retune restarts the gNB and a quota waits for the metrics: controls take that long.
        const slow = bs.driver === 'srsran-project' ? { deadlineMs: (bs.agent?.readyTimeoutMs ?? 30_000) + 15_000, shutdownTimeoutMs: 10_000 } : {};
        const driver = createBaseStation(bs.id, address, {
          ...slow,
          tls,
          expect: { nodeId: bs.id, operator: bs.operator, cells: bs.cells },
          clock: this.clock,
          onCellStateChange: rig.trial.onCellStateChange,
          // Renewed at least every third of the agent's lease, however short the rig makes it.
          leaseRenewMs: Math.min(1000, Math.floor((bs.agent?.leaseMs ?? DEFAULT_LEASE_MS) / 3)),
        });
        const setup = await driver.setup();
        this.basestations.set(bs.id, { rig: bs, driver, setup, alive: true });
      }),
    );
    this.say(`base stations ready: ${rig.basestations.map((b) => b.id).join(', ')}`);
  }

  /**
   * 4. UEs with a driver of their own: twin modem processes started at once and opened; once the
   * sink can take their readings (and the UE market has chosen their operator), radio on once
   * the base stations are up; readings streamed to InfluxDB. They register by themselves once
   * their cell is on (automatic network selection).
   */
  private async bringUpModems(airDir: string, ready: Promise<unknown>, spawned: () => void, onAir: Promise<unknown>): Promise<void> {
    const modems = this.rig.ues.filter((u) => u.driver === 'at-modem');
    // Every twin modem's process is spawned within these calls, before their first await.
    const up = modems.map((u) => this.bringUpModem(u, airDir, ready, onAir));
    spawned();
    await Promise.all(up);
    if (modems.length) this.say(`UEs ready: ${modems.map((u) => u.id).join(', ')}`);
  }

  private async bringUpModem(u: RigUe, airDir: string, ready: Promise<unknown>, onAir: Promise<unknown>): Promise<void> {
    let port = u.port;
    this.checkBringUp();
    if (this.rig.mode === 'twin') {
      const modem = await startTwinModem(
        this.supervisor,
        { ueId: u.id, airDir, model: u.model ?? 'RM520N', linkPath: join(this.opts.resultsDir, 'dev', `${u.id}-at`), registerMs: 50, pollMs: 50 },
        join(this.opts.resultsDir, 'twin'),
      );
      port = modem.port;
    }
    this.checkBringUp();
    const ue = new AtModemUe({ id: u.id, operator: u.operator, port: port!, baudRate: u.baudRate, required: u.required, model: u.model, apn: u.apn });
    const tags = { ...this.baseTags(), operator: u.operator };
    ue.on((e) => {
      if (e.kind === 'reading') this.write(toPoints(e.reading, tags));
      else this.write(eventPoints(u.id, e, tags));
      if (e.kind === 'failed' && e.required) this.fail(new ComponentError(u.id, `required UE failed: ${e.error.message}`, 'UE_FAILED'));
    });
    // Opened while the sink and the base stations come up: the port's first quiet period (the
    // driver waits out late output before its first command) overlaps theirs. Its events wait
    // in this.early until the sink exists.
    await ue.open();
    // Teardown closes it from here on, even if a later step (or another component) fails.
    this.ues.set(u.id, ue);
    await ready;
    this.checkBringUp();
    // Radio on once the base stations are on air: it attaches at once, as a UE switched on in
    // coverage does (one switched on before would sit in its search back-off).
    await onAir;
    this.checkBringUp();
    await ue.setPower(true);
    // The UE market's winner: the modem registers only on that operator's cells.
    const plmn = this.ueMarket?.contracts.get(u.id)?.plmn;
    if (plmn) await ue.selectOperator(plmn);
  }

  /** Start every UE's serving-cell readings (the trial kind chooses the period). */
  startUeReadings(periodMs: number): void {
    for (const ue of this.ues.values()) ue.startReadings(periodMs);
  }

  /** Virtual time: one serving-cell reading of every UE now, stamped with the trial's time. */
  async readUesOnce(): Promise<void> {
    const timestampNs = this.clock.nowNs();
    await Promise.all(
      [...this.ues.values()].map(async (ue) => {
        const u = this.rig.ues.find((r) => r.id === ue.id);
        try {
          this.write(toPoints({ ueId: ue.id, timestampNs, serving: await ue.servingCell() }, { ...this.baseTags(), operator: u?.operator ?? ue.operator }));
        } catch (err) {
          log.debug({ ue: ue.id, err: messageOf(err) }, 'serving-cell reading failed');
        }
      }),
    );
  }

  private agentContext(): AgentContext {
    return { rig: this.rig, resultsDir: this.opts.resultsDir, supervisor: this.supervisor, ueMarket: this.ueMarket, clock: this.clock.kind };
  }

  /**
   * Always runs, whatever happened, by one deadline (Date.now() ms): cells off on every live
   * base station, measurements flushed (what cannot be written waits in the spool), the
   * measurement store stopped after its last flush, children stopped. Never throws; returns
   * what it could not do. A second call (a second Ctrl-C) only brings the deadline nearer.
   */
  async teardown(deadline: number): Promise<TeardownResult> {
    if (this.tornDown) {
      this.pendingDeadline = Math.min(this.pendingDeadline, deadline);
      this.shorten?.(deadline);
      return this.tearing!;
    }
    this.tornDown = true;
    this.pendingDeadline = deadline;
    this.tearing = (async () => {
      // A bring-up still starting things (a child died, or Ctrl-C, meanwhile): its branches stop at
      // their next step; wait for them (within the devices' share of the deadline) so that what
      // they started is stopped too.
      if (this.bringing) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([this.bringing, new Promise((r) => (timer = setTimeout(r, Math.max(0, this.pendingDeadline - 7000 - Date.now()))))]);
        clearTimeout(timer);
      }
      const run = runTeardown(this, this.pendingDeadline);
      this.shorten = run.shorten;
      const r = await run.result;
      if (this.sink && r.spooledPoints === 0 && r.lostPoints === 0) removeIfEmpty(this.sink.spoolDir);
      return r;
    })();
    return this.tearing;
  }

  private pendingDeadline = Infinity;
  private shorten: ((deadline: number) => void) | null = null;
  private tearing: Promise<TeardownResult> | null = null;
}
