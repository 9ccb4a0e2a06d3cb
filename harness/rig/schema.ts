// The rig file schema: what exists in a rig (labgrid's "resources"). One schema for the twin
// and for lab hardware; units are in key names. Cross-references (operator names, serving
// base stations, unique ids) are checked in validate.ts after the shape is right.
import { z } from 'zod';
import { BASESTATION_DRIVERS } from '../ran/agent/registry.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'an id of letters, digits, "-", "_" or "." (max 63)');
/** host:port — a name or address and a TCP port. */
const hostPort = z.string().regex(/^[A-Za-z0-9_.\-[\]:]+:\d{1,5}$/, 'host:port');

const account = z.union([
  z.strictObject({ generate: z.literal(true) }),
  z.strictObject({ keyFile: z.string().min(1) }),
  z.strictObject({ keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name') }),
], { error: 'one of {generate: true} (embedded chain only), {keyFile: <path>} or {keyEnv: <VARIABLE>}' });

/**
 * How an operator plays the spectrum game (issue 9): what it requests each epoch and how much
 * of its grant it uses. saturated: the whole band, uses its grant; fair: W/n; greedy: the whole
 * band, uses all of any grant; adaptive: W/n scaled by its balance against the mean; bursty:
 * W/n while a seeded on/off traffic process is on, nothing while off; hoarder: the whole band,
 * uses none of it.
 */
export const strategySchema = z.enum(['saturated', 'fair', 'greedy', 'adaptive', 'bursty', 'hoarder']);

export const operatorSchema = z.strictObject({
  name: id,
  account,
  strategy: strategySchema.default('saturated'),
  /** Public land mobile network id (MCC + MNC, 5 or 6 digits): a UE selects the operator by it. */
  plmn: z.string().regex(/^\d{5,6}$/, 'a PLMN id: MCC + MNC, 5 or 6 digits').optional(),
  /**
   * The operator's offer in the UE market (trial.ueMarket): its price, tokens per Mbit a UE
   * receives, and the downlink throughput it commits to give one UE, kbit/s.
   */
  ueOffer: z.strictObject({
    priceTokensPerMbit: z.number().min(0).max(1_000_000),
    maxDlKbps: z.number().int().min(1).max(10_000_000),
  }).optional(),
});

export const spectrumSchema = z.strictObject({
  /** W: width of the shared band, MHz. */
  bandMHz: z.number().positive().max(2000),
  /** Lower edge of the shared band, MHz (absolute frequency). */
  lowEdgeMHz: z.number().positive(),
  /** What one token buys for one second, kHz (seeds/004: one LTE resource block). */
  tokenUnitKHz: z.number().positive().default(180),
  supplyTokens: z.number().positive(),
  priceTokensPerUnitSecond: z.number().positive().default(1),
  epochMs: z.number().int().min(50).max(3_600_000).default(1000),
  /** Share of an unused grant's escrow kept as a holding charge, percent: hoarding is never free. */
  holdingChargePct: z.number().min(0).max(100).default(10),
  /** Blocks after an epoch's first request after which decide is accepted even if someone did not request. */
  requestWindowBlocks: z.number().int().min(1).max(1_000_000).optional(),
  /** Blocks after a decision within which an operator settles itself; later anyone settles it at the full grant. */
  settleWindowBlocks: z.number().int().min(1).max(1_000_000).optional(),
  /** Fairness lock-out (seeds/001): above maxShare of the band over windowEpochs epochs, no grant for lockoutEpochs. Off when absent. */
  fairness: z.strictObject({
    windowEpochs: z.number().int().min(1).max(1000),
    maxShare: z.number().gt(0).max(1),
    lockoutEpochs: z.number().int().min(1).max(1000),
  }).optional(),
  /** Initial shares of the token supply, one per operator in order, summing to 1 (default equal). */
  initialBalances: z.array(z.number().min(0).max(1)).optional(),
});

export const cellSchema = z.strictObject({
  id,
  rat: z.enum(['NR', 'LTE']),
  band: z.string().regex(/^(n?\d{1,3})$/, 'a 3GPP band such as n46, n78 or 7'),
  carrierMHz: z.number().positive(),
  bandwidthMHz: z.number().positive(),
  scsKHz: z.union([z.literal(15), z.literal(30), z.literal(60)]).default(15),
  pci: z.number().int().min(0).max(1007),
  txPowerDbm: z.number().min(-30).max(60).default(30),
  /** MIMO layers the cell schedules per UE (v of TS 38.306 §4.1.2), downlink and uplink. */
  mimoLayersDl: z.number().int().min(1).max(8).default(1),
  mimoLayersUl: z.number().int().min(1).max(4).default(1),
});

export const radioSchema = z.strictObject({
  type: z.literal('uhd'),
  /** UHD device args used to find the radio, e.g. "type=b200,serial=31B1A2F". */
  args: z.string().min(1),
  requireRefLock: z.boolean().default(false),
  /** What the gNB's ru_sdr gets (srsran-project): sample rate, gains, clock source. */
  srateMHz: z.number().positive().max(250).optional(),
  txGainDb: z.number().min(0).max(100).optional(),
  rxGainDb: z.number().min(0).max(100).optional(),
  clock: z.enum(['internal', 'external', 'gpsdo']).optional(),
});

/**
 * How the gNB host's RAN agent runs its base station (srsran-project): managed (the agent
 * writes the YAML and starts `gnb.binary`; a relative path is inside the ranlab package) or
 * attach (the lab started the gNB). On a twin rig the controller starts the agent with this;
 * on a lab rig the same settings go into the agent's own file.
 */
export const agentSchema = z.strictObject({
  mode: z.enum(['managed', 'attach']).default('managed'),
  version: z.string().default('25.10'),
  gnb: z.strictObject({ binary: z.string().min(1), args: z.array(z.string()).default([]) }).optional(),
  /** The lease, ms: with no call from the controller for this long the agent stops the gNB. */
  leaseMs: z.number().int().min(200).max(600_000).default(5000),
  /** The gNB's metrics period (du_report_period), ms. */
  duReportPeriodMs: z.number().int().min(100).max(60_000).default(1000),
  readyTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
});

/** The 5G core a gNB connects to (its AMF), or none (srsRAN's no_core, for testing). */
export const coreSchema = z.union([
  z.strictObject({ noCore: z.literal(true) }),
  z.strictObject({ amfAddr: z.string().min(1), amfPort: z.number().int().min(1).max(65535).default(38412), bindAddr: z.string().min(1) }),
]);

export const baseStationSchema = z.strictObject({
  id,
  operator: id,
  /** `e2` (an agent already serving E2 at `address`) or a RAN agent backend from harness/ran/agent/registry.ts. */
  driver: z.enum(BASESTATION_DRIVERS),
  /** Agent address (host:port); the twin starts its own agents and picks ports itself. */
  address: hostPort.optional(),
  radio: radioSchema.optional(),
  cells: z.array(cellSchema).min(1),
  agent: agentSchema.optional(),
  core: coreSchema.optional(),
  /** The gNB's one slice: its operator's S-NSSAI. */
  slice: z.strictObject({ sst: z.number().int().min(0).max(255).default(1), sd: z.number().int().min(0).max(0xffffff).optional() }).optional(),
  tac: z.number().int().min(0).max(16_777_215).default(7),
});

export const ueSchema = z.strictObject({
  id,
  operator: id,
  driver: z.enum(['twin', 'at-modem', 'srsue']),
  servingBs: id,
  /** Twin radio placement: path loss to the serving cell and to other operators' cells. */
  twin: z.strictObject({
    pathLossDb: z.number().min(30).max(200),
    interferenceLossDb: z.number().min(30).max(200).optional(),
    /** The UE's maximum output power, dBm (default 23: power class 3, TS 38.101-1 Table 6.2.1-1). */
    txPowerDbm: z.number().min(-40).max(33).optional(),
  }).optional(),
  /** Serial port of an AT modem; prefer the stable /dev/serial/by-id/ path. */
  port: z.string().min(1).optional(),
  baudRate: z.number().int().positive().default(115200),
  /**
   * Module model. A real modem's is informational (its ATI is authoritative); a twin modem
   * (mode twin) is that model: RM520N (default), RM500Q-early or EG25-G (twin/modem/profiles.ts).
   */
  model: z.string().optional(),
  apn: z.string().optional(),
  /**
   * Lab offload: the network namespace holding this modem's data interface (`ip netns`). Its
   * UE host runs in it; without one, the UE host's sockets are bound to the data session's
   * address (AT+CGPADDR), which must then be an address of this host.
   */
  netns: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a network namespace name (ip netns)').optional(),
  /** A required UE failing ends the trial; others are marked failed and the trial goes on. */
  required: z.boolean().default(false),
  /** UE market (trial.ueMarket): the QoS target, minimum downlink throughput, kbit/s. */
  minDlKbps: z.number().int().min(1).max(10_000_000).optional(),
  /** UE market: the tokens the UE's account gets at deployment, out of the fixed supply. */
  tokens: z.number().min(0).default(100),
});

export const edgeSchema = z.strictObject({
  id,
  /** The edge agent's address (`ranlab edge-agent`); a twin rig starts its own on loopback. */
  address: hostPort.optional(),
  gpus: z.number().int().min(0).default(0),
  /** The operator that owns the host and sells its compute on the compute market (offload.market). */
  owner: id.optional(),
});

/** LoadGen's minimums per condition (MLPerf): a rig may raise them, never lower them. */
export const LOADGEN_MIN_DURATION_MS = 10_000;
export const LOADGEN_MIN_QUERIES = 1000;

/**
 * Offload-latency trials (issue 11): a model split between each UE and an edge host, measured
 * with a LoadGen-style load generator. Each condition runs at least MLPerf's 10 s and 1,000
 * queries; a rig may raise them. Shorter conditions exist only through the runner's
 * short-conditions option (tests, smoke runs), and the report marks them.
 */
export const offloadSchema = z.strictObject({
  model: z.enum(['patchnet-128']).default('patchnet-128'),
  /** Seed of the model's weights: the UE and the edge build the same model from it. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(7),
  /** The edge host (an id from `edge`). */
  edge: id,
  /** The UEs that offload (ids from `ues`); default all. */
  ues: z.array(id).optional(),
  /** Twin only: one-way air delay the relay adds to each direction, ms. */
  airDelayMs: z.number().min(0).max(1000).default(4),
  /** Twin only: how much slower the UE computes than this host (the report states it). */
  ueSlowdown: z.number().min(1).max(1000).default(8),
  loadgen: z.strictObject({
    scenario: z.enum(['server', 'single-stream']).default('server'),
    /** Server scenario: Poisson arrivals per second, per UE. */
    rateHz: z.number().positive().max(10_000).default(10),
    minDurationMs: z
      .number()
      .int()
      .min(LOADGEN_MIN_DURATION_MS, `at least ${LOADGEN_MIN_DURATION_MS} ms (LoadGen's minimum; a rig may raise it, never lower it: shorter runs use --short-conditions)`)
      .max(86_400_000)
      .default(LOADGEN_MIN_DURATION_MS),
    minQueries: z
      .number()
      .int()
      .min(LOADGEN_MIN_QUERIES, `at least ${LOADGEN_MIN_QUERIES} queries (LoadGen's minimum; a rig may raise it, never lower it: shorter runs use --short-conditions)`)
      .max(10_000_000)
      .default(LOADGEN_MIN_QUERIES),
    seed: z.number().int().min(0).default(1),
  }).default({ scenario: 'server', rateHz: 10, minDurationMs: 10_000, minQueries: 1000, seed: 1 }),
  /** Quality of AI service targets the planner must meet. */
  qoais: z.strictObject({ p99Ms: z.number().positive().optional(), privacy: z.boolean().default(false) }).default({ privacy: false }),
  /** Conditions, each run in turn on the same rig: planner, all-local, all-edge, fixed:<k>. */
  policies: z.array(z.string().regex(/^(planner|all-local|all-edge|fixed[:-]\d+)$/, 'planner, all-local, all-edge or fixed:<k>')).min(1).default(['planner', 'all-local', 'all-edge']),
  /** The planner decides again when a UE's uplink or downlink throughput moves by more than this, %. */
  redecidePct: z.number().positive().max(1000).default(20),
  /** The compute market (seed 003): the edge's price per compute-second and each session's deposit, in tokens. Off when absent. */
  market: z.strictObject({ pricePerComputeSecond: z.number().min(0).max(1e6), depositTokens: z.number().positive().max(1e9), capacity: z.number().int().min(1).default(4) }).optional(),
  /** Grant changes during each condition: at `atMs` after it starts, the UE's cell gets `prbs` PRBs. */
  grantSchedule: z.array(z.strictObject({ atMs: z.number().int().min(0), cell: id, prbs: z.number().int().min(0) })).default([]),
});

export const ledgerSchema = z.strictObject({
  embedded: z.literal(true).optional(),
  rpc: z.url({ protocol: /^https?$/, error: 'an http(s) URL of an EVM JSON-RPC endpoint' }).optional(),
  contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte contract address').optional(),
}).superRefine((v, ctx) => {
  if (v.embedded && (v.rpc || v.contract)) ctx.addIssue({ code: 'custom', message: 'either embedded: true or rpc + contract, not both' });
  if (!v.embedded && !(v.rpc && v.contract)) ctx.addIssue({ code: 'custom', message: 'expected embedded: true, or both rpc (URL) and contract (address)' });
});

export const influxSchema = z.strictObject({
  embedded: z.literal(true).optional(),
  url: z.url({ protocol: /^https?$/, error: 'an http(s) URL of an InfluxDB 1.x server' }).optional(),
  database: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a database name').default('ranlab'),
}).superRefine((v, ctx) => {
  if (v.embedded === !!v.url) ctx.addIssue({ code: 'custom', message: 'expected embedded: true, or url (not both)' });
});

export const trialSchema = z.strictObject({
  /** What the trial measures: spectrum sharing, offload latency, or offload while sharing moves the grants. */
  kind: z.enum(['spectrum', 'offload', 'combined']).default('spectrum'),
  /**
   * real: wall-clock time. virtual: the twin runs on a clock the trial advances, as fast as
   * the machine computes (spectrum trials on twin rigs whose base stations are all `twin`);
   * refused for kinds with real compute (offload, combined) and on lab rigs.
   */
  clock: z.enum(['real', 'virtual']).default('real'),
  policy: z.enum(['ledger', 'random', 'equal']).default('ledger'),
  epochs: z.number().int().min(1).max(100_000).default(40),
  demand: z.enum(['saturated']).default('saturated'),
  kpmPeriodMs: z.number().int().min(10).max(60_000).default(200),
  /** Seed for the random policy and the bursty strategy, so a run can be repeated. */
  seed: z.number().int().optional(),
  /** A cell found changed behind the controller's back (from KPM): fail the trial, or restore the cell. */
  onCellStateChange: z.enum(['fail', 'restore']).default('fail'),
  /**
   * Real traffic for saturated demand (lab rigs): each epoch an iperf3 client per AT-modem UE,
   * bound to its data session, to `server`; UE i (in rig order) uses port basePort + i.
   */
  traffic: z.strictObject({
    server: z.string().regex(/^[A-Za-z0-9_.:\-%]+$/, 'a host name or address'),
    basePort: z.number().int().min(1).max(65000).default(5201),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
    bitrate: z.string().regex(/^\d+(\.\d+)?[KMG]?$/i, 'like 100M').optional(),
    direction: z.enum(['dl', 'ul']).default('dl'),
  }).optional(),
  /**
   * The UE market (seeds/004 contract type 1): each UE posts its minDlKbps, every operator
   * offers its ueOffer, the lowest offer meeting the target wins, the UE selects the winner's
   * PLMN and is served by its base station, and pays it for its measured use each epoch.
   */
  ueMarket: z.boolean().default(false),
});

/**
 * The controller's side of mutual TLS with lab agents (`ranlab certs init` writes them): the
 * lab CA every agent's certificate must come from, and the controller's client certificate
 * and key. Each agent's certificate must name its base station's id. Twin trials make their
 * own certificates per trial and need none of this.
 */
export const tlsSchema = z.strictObject({
  caFile: z.string().min(1),
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
});

/**
 * Acceptance criteria a trial must meet (exit 1 naming the first-class failures otherwise).
 * Criteria for every kind at the top; each trial kind's own under its key. Absent: not checked.
 */
export const acceptanceSchema = z.strictObject({
  /** Every epoch requested ran and no component failed (a required UE failing fails this). */
  completed: z.boolean().optional(),
  /** Every measured point reached InfluxDB (none left spooled, none lost). */
  allPointsWritten: z.boolean().optional(),
  /** Every cell confirmed off at teardown. */
  cellsOffAtTeardown: z.boolean().optional(),
  spectrum: z.strictObject({
    /** Jain's index of the grants, mean over the last quarter of the epochs, at least this. */
    minFairness: z.number().min(0).max(1).optional(),
    /** Every grant within 2 % of W/n from this epoch (1-based) on, or earlier. */
    convergedByEpoch: z.number().int().min(1).optional(),
    /** The token supply is conserved to the last micro-token (ledger policy). */
    supplyConserved: z.boolean().optional(),
  }).optional(),
  offload: z.strictObject({
    /** End-to-end p99 (exact nearest rank over all the condition's requests) at most this, ms. */
    maxP99Ms: z.number().positive().optional(),
    /** The condition maxP99Ms applies to (default `planner`, else the first condition). */
    condition: z.string().min(1).optional(),
    /** Every condition ran at least its minimum duration and query count. */
    metMinimums: z.boolean().optional(),
  }).optional(),
});
export type Acceptance = z.infer<typeof acceptanceSchema>;

export const rigSchema = z.strictObject({
  name: id,
  mode: z.enum(['twin', 'lab']).default('twin'),
  operators: z.array(operatorSchema).min(1),
  spectrum: spectrumSchema,
  basestations: z.array(baseStationSchema).min(1),
  ues: z.array(ueSchema).default([]),
  edge: z.array(edgeSchema).default([]),
  offload: offloadSchema.optional(),
  ledger: ledgerSchema,
  influx: influxSchema,
  trial: trialSchema.default(trialSchema.parse({})),
  acceptance: acceptanceSchema.optional(),
  tls: tlsSchema.optional(),
}).superRefine((rig, ctx) => {
  const kind = rig.trial.kind;
  if (kind !== 'offload' && rig.operators.length < 2) ctx.addIssue({ code: 'custom', path: ['operators'], message: `at least 2 operators share the band (a ${kind} trial)` });
  if (kind !== 'spectrum' && !rig.offload) ctx.addIssue({ code: 'custom', path: ['offload'], message: `a ${kind} trial needs an offload section (model, edge, loadgen, policies)` });
  if (kind !== 'spectrum' && rig.trial.clock === 'virtual')
    ctx.addIssue({ code: 'custom', path: ['trial', 'clock'], message: `the ${kind} trial kind runs in real time only: its inference is real compute on real clocks, which a virtual clock cannot stand for (set trial.clock: real)` });
  if (kind !== 'spectrum' && rig.mode === 'lab') for (const i of labOffloadIssues(rig)) ctx.addIssue({ code: 'custom', ...i });
  if (kind === 'spectrum' && rig.trial.clock === 'virtual') {
    const why = virtualClockRefusal(rig);
    if (why) ctx.addIssue({ code: 'custom', path: ['trial', 'clock'], message: `${why} (set trial.clock: real)` });
  }
  rig.edge.forEach((e, i) => {
    if (rig.mode === 'lab' && !e.address) ctx.addIssue({ code: 'custom', path: ['edge', i, 'address'], message: 'a lab edge host needs the address of its edge agent (host:port)' });
  });
  rig.basestations.forEach((b, i) => {
    if (!agentStartedHere(rig, b) && !rig.tls) ctx.addIssue({ code: 'custom', path: ['basestations', i, 'driver'], message: `the ${b.driver} agent needs mutual TLS: add tls {caFile, certFile, keyFile} (ranlab certs init <dir>)` });
  });
});

/**
 * Whether the controller starts this base station's agent itself (twin agents, and on a twin rig
 * the srsRAN agent with its stand-in gNB): such agents get certificates made per trial.
 */
export function agentStartedHere(rig: { mode: string }, b: { driver: string }): boolean {
  return b.driver === 'twin' || (rig.mode === 'twin' && b.driver !== 'e2');
}

/**
 * Offload on a lab rig: each offloading UE is a modem whose data session carries its tensors
 * (the UE host binds to its address), and the edge agent is reached over the lab's mutual TLS.
 */
export function labOffloadIssues(rig: { ues: { id: string; driver: string }[]; offload?: { ues?: string[] }; tls?: unknown }): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const offloading = rig.offload?.ues ?? rig.ues.map((u) => u.id);
  if (!offloading.length) out.push({ path: ['ues'], message: 'offload on a lab rig needs at least one at-modem UE (its data session carries the tensors)' });
  rig.ues.forEach((u, i) => {
    if (offloading.includes(u.id) && u.driver !== 'at-modem') out.push({ path: ['ues', i, 'driver'], message: `UE ${u.id} offloads on a lab rig: it must be an at-modem UE, whose data session carries its tensors` });
  });
  if (!rig.tls) out.push({ path: ['tls'], message: 'offload on a lab rig reaches the edge agent over mutual TLS: add tls {caFile, certFile, keyFile} (ranlab certs init <dir>)' });
  return out;
}

export type Rig = z.infer<typeof rigSchema>;
export type RigOperator = Rig['operators'][number];
export type RigBaseStation = Rig['basestations'][number];
export type RigCell = RigBaseStation['cells'][number];
export type RigUe = Rig['ues'][number];
export type RigSpectrum = Rig['spectrum'];
export type RigTrial = Rig['trial'];
export type Policy = RigTrial['policy'];
export type Strategy = z.infer<typeof strategySchema>;
export type RigOffload = z.infer<typeof offloadSchema>;
export type TrialKindName = RigTrial['kind'];

/** Why a spectrum trial on this rig cannot run on virtual time, or null when it can. */
export function virtualClockRefusal(rig: { mode: string; basestations: { id: string; driver: string }[] }): string | null {
  if (rig.mode === 'lab') return 'a virtual clock is for the twin only: a lab rig has real radios on real time';
  const other = rig.basestations.find((b) => b.driver !== 'twin');
  if (other) return `a virtual clock needs every base station on the twin driver: ${other.id} uses ${other.driver}, which runs on real time`;
  return null;
}
