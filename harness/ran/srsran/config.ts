// The srsran-project backend's part of the agent configuration file: how the gNB is run
// (managed: the agent writes its YAML and starts the binary; attach: the lab started it), the
// release whose formats it speaks, and what the gNB YAML needs (radio, core, PLMN, cell, slice).
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { pathText } from '../agent/config.js';

const hostPort = z.string().regex(/^[A-Za-z0-9_.\-[\]:]+:\d{1,5}$/, 'host:port');

export const srsranConfigSchema = z.strictObject({
  mode: z.enum(['managed', 'attach']).default('managed'),
  /** The release whose formats the gNB speaks: 25.10 (metrics on the WebSocket) or 25.04 (UDP). */
  version: z.string().default('25.10'),
  gnb: z
    .strictObject({
      /** The gnb executable (managed mode), e.g. /usr/local/bin/gnb. */
      binary: z.string().min(1),
      /** Arguments before `-c <yaml>` (e.g. a stand-in's subcommand). */
      args: z.array(z.string()).default([]),
      /** Arguments after `-c <yaml>`. */
      extraArgs: z.array(z.string()).default([]),
      /** Where the YAML and the gNB's log go. */
      workDir: z.string().min(1),
      readyTimeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
    })
    .optional(),
  /** The gNB's remote-control WebSocket (loopback: it runs beside the agent). */
  remoteControl: z.strictObject({ address: hostPort.default('127.0.0.1:8001') }).default({ address: '127.0.0.1:8001' }),
  /** 25.04: where the gNB sends its JSON metrics (UDP). */
  metricsUdp: z.strictObject({ address: hostPort.default('127.0.0.1:55555') }).optional(),
  duReportPeriodMs: z.number().int().min(100).max(60_000).default(1000),
  plmn: z.string().regex(/^\d{5,6}$/, 'MCC + MNC, 5 or 6 digits'),
  tac: z.number().int().min(0).max(16_777_215).default(7),
  /** The gNB's one slice: its operator's S-NSSAI. */
  slice: z.strictObject({ sst: z.number().int().min(0).max(255).default(1), sd: z.number().int().min(0).max(0xffffff).optional() }).default({ sst: 1 }),
  core: z.union([
    z.strictObject({ noCore: z.literal(true) }),
    z.strictObject({ amfAddr: z.string().min(1), amfPort: z.number().int().min(1).max(65535).default(38412), bindAddr: z.string().min(1) }),
  ]),
  radio: z.strictObject({
    deviceDriver: z.enum(['uhd', 'zmq']).default('uhd'),
    deviceArgs: z.string().default(''),
    srateMHz: z.number().positive().max(250).default(23.04),
    txGainDb: z.number().min(0).max(100).default(50),
    rxGainDb: z.number().min(0).max(100).default(60),
    clock: z.enum(['internal', 'external', 'gpsdo']).optional(),
    /** UHD: the agent checks, before the gNB takes the radio, that its reference is locked. */
    requireRefLock: z.boolean().default(false),
  }),
  cell: z.strictObject({
    id: z.string().min(1).max(64),
    band: z.string().regex(/^n\d{1,3}$/, 'an NR band such as n78'),
    carrierMHz: z.number().positive(),
    bandwidthMHz: z.number().positive(),
    scsKHz: z.union([z.literal(15), z.literal(30)]),
    pci: z.number().int().min(0).max(1007),
  }),
  /** Quota confirmation from the scheduler metrics: how long to wait, and the PRBs of slack. */
  quotaConfirm: z.strictObject({ timeoutMs: z.number().int().min(100).max(120_000).default(8000), slackPrb: z.number().int().min(0).max(20).default(1) }).default({ timeoutMs: 8000, slackPrb: 1 }),
});

export type SrsranConfig = z.infer<typeof srsranConfigSchema>;
export const SUPPORTED_VERSIONS = ['25.10', '25.04'];

export function parseSrsranConfig(raw: unknown, source: string): SrsranConfig {
  const r = srsranConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(r.error.issues.slice(0, 10).map((i) => `${source}: ${pathText(i.path)}: ${i.message}`).join('\n'));
  const c = r.data;
  if (!SUPPORTED_VERSIONS.includes(c.version))
    throw new ConfigError(`${source}: version: srsRAN Project ${c.version} is not supported (supported: ${SUPPORTED_VERSIONS.join(', ')})`, 'VERSION_UNSUPPORTED');
  if (c.mode === 'managed' && !c.gnb) throw new ConfigError(`${source}: gnb: managed mode needs gnb {binary, workDir}`);
  if (c.version === '25.04' && !c.metricsUdp) throw new ConfigError(`${source}: metricsUdp: 25.04 sends its metrics over UDP: give metricsUdp {address}`);
  return c;
}
