// Starting an edge agent as a supervised child (a twin rig's edge host on loopback).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TlsFiles } from '../certs/index.js';
import { cliEntry } from '../paths.js';
import type { Supervisor } from '../proc/index.js';
import type { EdgeAgentConfig } from './server.js';

/** Returns the agent's bound address (host:port). */
export async function startEdgeAgent(supervisor: Supervisor, id: string, tls: TlsFiles, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const cfg: EdgeAgentConfig = { id, listen: '127.0.0.1:0', tls };
  const file = resolve(join(dir, `${id}.json`));
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  const child = await supervisor.start({
    name: id,
    command: process.execPath,
    args: [cliEntry, 'edge-agent', '--config', file],
    readyLine: /listening on (\S+:\d+)/,
    readyTimeoutMs: 30_000,
    lifeline: true,
  });
  return child.ready![1]!;
}
