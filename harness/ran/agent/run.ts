// `ranlab ran-agent --backend <name> --config <file>`: the RAN agent as its own process.
import { ConfigError, exitCodeOf } from '../../errors.js';
import { exitWithParent } from '../../proc/index.js';
import { RanAgent } from './agent.js';
import { loadAgentFile } from './config.js';
import { BACKENDS } from './registry.js';

export function backendNamed(name: string) {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b) throw new ConfigError(`no RAN agent backend "${name}" (this build has: ${BACKENDS.map((x) => x.name).join(', ')})`, 'BACKEND_UNKNOWN');
  return b;
}

/**
 * Run one agent in this process. Rejects with ConfigError for a bad config or backend name and
 * ComponentError when the base station or the server cannot start. Once listening it prints
 * exactly one line to stdout, `E2 agent <nodeId> listening on <host>:<port>`, and serves until
 * SIGTERM, SIGINT or its parent's lifeline (a piped stdin) closes; then the radio goes to its
 * safe state and the process exits 0.
 */
export async function runRanAgent(backendName: string, configPath: string): Promise<void> {
  let agent: RanAgent;
  let host: string;
  let port: number;
  try {
    const backend = backendNamed(backendName);
    const { raw, settings } = await loadAgentFile(configPath);
    agent = new RanAgent(settings, await backend.create(raw, configPath, settings), backend.name);
    ({ host, port } = await agent.start());
  } catch (err) {
    process.exitCode = exitCodeOf(err);
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () =>
      agent.stop().finally(() => {
        resolve();
        setImmediate(() => process.exit(0));
      });
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    exitWithParent(() => stop());
    process.stdout.write(`E2 agent ${agent.settings.nodeId} listening on ${host}:${port}\n`);
  });
}
