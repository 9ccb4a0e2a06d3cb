// The srsran-project agent's configuration file made from a rig's base station: what the
// controller writes when it starts the agent itself (a twin rig, the stand-in as `gnb`), and
// what `ranlab` can print for a lab engineer to copy to the gNB host.
import { isAbsolute, join } from 'node:path';
import type { TlsFiles } from '../../certs/index.js';
import { packageRoot } from '../../paths.js';
import type { Rig, RigBaseStation } from '../../rig/index.js';

export interface AgentFileOptions {
  listen: string;
  tls: TlsFiles;
  workDir: string;
  remoteControlPort: number;
  /** Extra arguments for the gnb after `-c <yaml>` (the stand-in's `--twin <file>`). */
  gnbExtraArgs?: string[];
}

/** The gnb binary a rig's base station names, as its agent runs it: a relative path is inside the ranlab package. */
export function gnbBinaryOf(bs: RigBaseStation): { binary: string; args: string[] } | undefined {
  const g = bs.agent?.gnb;
  return g ? { binary: isAbsolute(g.binary) ? g.binary : join(packageRoot, g.binary), args: g.args } : undefined;
}

export function srsranAgentFile(rig: Rig, bs: RigBaseStation, o: AgentFileOptions): Record<string, unknown> {
  const a = bs.agent ?? { mode: 'managed' as const, version: '25.10', leaseMs: 5000, duReportPeriodMs: 1000, readyTimeoutMs: 30_000 };
  const cell = bs.cells[0]!;
  const op = rig.operators.find((x) => x.name === bs.operator)!;
  const binary = gnbBinaryOf(bs)?.binary;
  return {
    nodeId: bs.id,
    operator: bs.operator,
    listen: o.listen,
    tls: o.tls,
    leaseMs: a.leaseMs,
    mode: a.mode,
    version: a.version,
    ...(binary ? { gnb: { binary, args: a.gnb!.args, extraArgs: o.gnbExtraArgs ?? [], workDir: o.workDir, readyTimeoutMs: a.readyTimeoutMs } } : {}),
    remoteControl: { address: `127.0.0.1:${o.remoteControlPort}` },
    duReportPeriodMs: a.duReportPeriodMs,
    plmn: op.plmn,
    tac: bs.tac,
    slice: bs.slice ?? { sst: 1 },
    core: bs.core,
    radio: bs.radio
      ? { deviceDriver: 'uhd', deviceArgs: bs.radio.args, requireRefLock: bs.radio.requireRefLock, ...pick(bs.radio) }
      : { deviceDriver: 'zmq', deviceArgs: 'tx_port=tcp://127.0.0.1:2000,rx_port=tcp://127.0.0.1:2001,base_srate=23.04e6', srateMHz: 23.04 },
    cell: { id: cell.id, band: cell.band.startsWith('n') ? cell.band : `n${cell.band}`, carrierMHz: cell.carrierMHz, bandwidthMHz: cell.bandwidthMHz, scsKHz: cell.scsKHz, pci: cell.pci },
  };
}

function pick(r: NonNullable<RigBaseStation['radio']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.srateMHz !== undefined) out.srateMHz = r.srateMHz;
  if (r.txGainDb !== undefined) out.txGainDb = r.txGainDb;
  if (r.rxGainDb !== undefined) out.rxGainDb = r.rxGainDb;
  if (r.clock !== undefined) out.clock = r.clock;
  return out;
}
