// `ranlab twin-gnb --config <file.json>`: one twin base station as its own process.
import { exitCodeOf } from '../../errors.js';
import { exitWithParent } from '../../proc/index.js';
import { TwinGnb } from './agent.js';
import { loadTwinGnbConfig, type TwinGnbConfig } from './config.js';

/**
 * `ranlab twin-gnb --config <file.json>`: run one twin base station in this process.
 *
 * Rejects with ConfigError for a bad config and ComponentError when it cannot listen.
 * Once listening it prints exactly one line to stdout,
 * `E2 agent <nodeId> listening on <host>:<port>`, and serves until SIGTERM, SIGINT or its
 * parent's lifeline (stdin) closes; then it turns every cell off (published to the air),
 * shuts the server down, resolves, and exits the process with code 0.
 */
export async function runTwinGnb(configPath: string): Promise<void> {
  let cfg: TwinGnbConfig;
  let gnb: TwinGnb;
  let host: string;
  let port: number;
  try {
    cfg = loadTwinGnbConfig(configPath);
    gnb = new TwinGnb(cfg);
    ({ host, port } = await gnb.start());
  } catch (err) {
    // The agent owns its process: exit 2 (bad config) or 3 (cannot listen) even if the
    // caller only prints the error and lets the process end.
    process.exitCode = exitCodeOf(err);
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () =>
      gnb.stop().finally(() => {
        resolve();
        setImmediate(() => process.exit(0));
      });
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
    exitWithParent(() => stop());
    process.stdout.write(`E2 agent ${cfg.nodeId} listening on ${host}:${port}\n`);
  });
}
