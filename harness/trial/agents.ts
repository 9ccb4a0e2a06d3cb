// Starting the RAN agents a twin rig runs on this host, one process each: the twin backend's
// agent, or an srsran-project agent driving the stand-in gNB whose cell is on the twin's air.
// Each resolves with the address the agent listens on once it said so; the twin agent's process
// is spawned within the call, before its first await, so bring-up spawns every child first.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TlsFiles } from '../certs/index.js';
import { childEntry } from '../paths.js';
import { freePort, type Supervisor } from '../proc/index.js';
import { srsranAgentFile } from '../ran/agent/index.js';
import type { Rig, RigBaseStation, RigUe } from '../rig/index.js';
import type { UeMarketState } from './uemarket.js';

export interface AgentContext {
  rig: Rig;
  resultsDir: string;
  supervisor: Supervisor;
  /** The UE market's winners (which station serves which UE), once decided. */
  ueMarket: UeMarketState | null;
  /** The trial's time: virtual time starts each twin agent on a clock the trial advances. */
  clock?: 'real' | 'virtual';
}

/** The twin backend's agent for one base station. */
export async function startTwinGnb(ctx: AgentContext, bs: RigBaseStation, airDir: string, tls: TlsFiles): Promise<string> {
  const cellId = bs.cells[0]!.id;
  const plmn = ctx.rig.operators.find((o) => o.name === bs.operator)?.plmn;
  // Served here: the UE market's winners at this station, else the rig's servingBs.
  const servedBy = (u: RigUe) => ctx.ueMarket?.contracts.get(u.id)?.bs ?? u.servingBs;
  const config = {
    nodeId: bs.id,
    operator: bs.operator,
    ...(plmn ? { plmn } : {}),
    listen: '127.0.0.1:0',
    tls,
    airDir,
    ...(ctx.clock === 'virtual' ? { clock: 'virtual' } : {}),
    cells: bs.cells,
    ues: ctx.rig.ues
      .filter((u) => servedBy(u) === bs.id)
      .map((u) => ({ id: u.id, cellId, pathLossDb: u.twin!.pathLossDb, interferenceLossDb: u.twin!.interferenceLossDb ?? u.twin!.pathLossDb + 5, txPowerDbm: u.twin!.txPowerDbm })),
  };
  const dir = join(ctx.resultsDir, 'twin');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${bs.id}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child = await ctx.supervisor.start({
    name: bs.id,
    command: process.execPath,
    args: [childEntry, 'ran-agent', '--backend', 'twin', '--config', file],
    readyLine: /listening on (\S+:\d+)/,
    readyTimeoutMs: 15_000,
    lifeline: true,
  });
  return child.ready![1]!;
}

/** An srsran-project agent on this host, managing the stand-in gNB whose cell is on the twin's air. */
export async function startSrsranAgent(ctx: AgentContext, bs: RigBaseStation, airDir: string, tls: TlsFiles): Promise<string> {
  const dir = join(ctx.resultsDir, 'agents', bs.id);
  mkdirSync(dir, { recursive: true });
  const cell = bs.cells[0]!;
  const twin = {
    airDir,
    cellId: cell.id,
    operator: bs.operator,
    txPowerDbm: cell.txPowerDbm,
    ues: ctx.rig.ues
      .filter((u) => u.servingBs === bs.id)
      .map((u) => ({ id: u.id, pathLossDb: u.twin!.pathLossDb, interferenceLossDb: u.twin!.interferenceLossDb ?? u.twin!.pathLossDb + 5, txPowerDbm: u.twin!.txPowerDbm })),
  };
  writeFileSync(join(dir, 'twin.json'), JSON.stringify(twin, null, 2));
  const file = resolve(dir, 'agent.json');
  const cfg = srsranAgentFile(ctx.rig, bs, { listen: '127.0.0.1:0', tls, workDir: join(dir, 'gnb'), remoteControlPort: await freePort(), gnbExtraArgs: ['--twin', join(dir, 'twin.json')] });
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  const child = await ctx.supervisor.start({
    name: bs.id,
    command: process.execPath,
    args: [childEntry, 'ran-agent', '--backend', bs.driver, '--config', file],
    readyLine: /listening on (\S+:\d+)/,
    readyTimeoutMs: 15_000,
    lifeline: true,
  });
  return child.ready![1]!;
}
