// The twin base station's configuration file (JSON, written by the trial runner): its cells,
// the UEs it serves with their link budgets, where it listens and where the air is.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, messageOf } from '../../errors.js';
import { carrierArfcn, prbCount } from '../../nr/index.js';

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
  /** MIMO layers per UE (TS 38.306 v), downlink and uplink; default 1. */
  mimoLayersDl: z.number().int().min(1).max(8).optional(),
  mimoLayersUl: z.number().int().min(1).max(4).optional(),
});

const ueSchema = z.strictObject({
  id: idSchema,
  cellId: idSchema,
  pathLossDb: z.number().min(0).max(250),
  interferenceLossDb: z.number().min(0).max(250),
  /** The UE's maximum output power, dBm; default 23 (power class 3). */
  txPowerDbm: z.number().min(-40).max(33).optional(),
});

const configSchema = z.strictObject({
  nodeId: idSchema,
  operator: z.string().min(1).max(64),
  /** The operator's PLMN (MCC + MNC), broadcast by every cell and carried in each UE's reading. */
  plmn: z.string().regex(/^\d{5,6}$/, 'a PLMN id: MCC + MNC, 5 or 6 digits').optional(),
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
  /** UE receiver noise figure, dB (default 7). */
  noiseFigureDb: z.number().min(0).max(30).optional(),
  /** This node's receiver noise figure, dB (default 5). */
  gnbNoiseFigureDb: z.number().min(0).max(30).optional(),
  /** real: the host's clock and timers; virtual: the controller advances the node (E2 Advance, `--clock virtual`). */
  clock: z.enum(['real', 'virtual']).default('real'),
});

export type TwinGnbConfig = z.infer<typeof configSchema>;

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(top level)';
}

export const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):(\d{1,5})$/;

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
        c.arfcn = carrierArfcn(c.rat, c.band, c.carrierMHz);
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
