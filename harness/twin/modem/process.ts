// The twin modem as a process: `ranlab twin-modem --config <file>`, and how the controller
// starts one as a supervised child.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exitCodeOf, messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import { childEntry } from '../../paths.js';
import { exitWithParent, type Child, type Supervisor } from '../../proc/index.js';
import { loadTwinModemConfig, parseTwinModemConfig, type TwinModemConfig } from './config.js';
import { TwinModem } from './modem.js';

const log = childLog('twin-modem');

/**
 * `ranlab twin-modem --config <file.json>`: run one twin modem in this process. Config JSON:
 * {ueId, airDir, imei?, imsi?, model?='RM520N' (RM520N | RM500Q-early | EG25-G), manufacturer?='Quectel', revision?, linkPath?,
 * mcc?='001', mnc?='01', tac?, pdpAddress?, registerMs?=200, rebootMs?=1500, pollMs?=200,
 * staleAfterMs?=0, lteAnchor?} (twinModemConfigSchema).
 *
 * Prints `twin modem <ueId> on <slavePath>` on stdout when ready, and again after each replug.
 * SIGUSR1: unplug (pty closed, link removed). SIGUSR2: replug (new pty, link re-pointed).
 * Serves until SIGTERM, SIGINT or its parent's lifeline (stdin) closes; then it closes the pty,
 * removes the link, resolves and exits with code 0. A bad config rejects (exit code 2).
 */
export async function runTwinModem(configPath: string): Promise<void> {
  let modem: TwinModem;
  let cfg: ReturnType<typeof loadTwinModemConfig>;
  let path: string;
  try {
    cfg = loadTwinModemConfig(configPath);
    modem = new TwinModem(cfg);
    path = modem.start();
  } catch (err) {
    process.exitCode = exitCodeOf(err);
    throw err;
  }
  const announce = (p: string) => process.stdout.write(`twin modem ${cfg.ueId} on ${p}\n`);
  await new Promise<void>((resolve) => {
    // Keeps the process alive while unplugged (no pty handle then).
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(keepAlive);
      modem.stop();
      resolve();
      setImmediate(() => process.exit(0));
    };
    process.on('SIGUSR1', () => {
      if (!stopped) modem.unplug();
    });
    process.on('SIGUSR2', () => {
      if (stopped) return;
      try {
        announce(modem.replug());
      } catch (err) {
        log.error({ ue: cfg.ueId, err: messageOf(err) }, 'replug failed');
      }
    });
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    exitWithParent(stop);
    announce(path);
  });
}

export interface StartedTwinModem {
  child: Child;
  /** The pty slave the modem opened first (it changes on every replug). */
  slavePath: string;
  /** The stable path to give the AT modem driver: linkPath, or the slave path without one. */
  port: string;
  configPath: string;
  /** Simulated unplug (SIGUSR1) and replug (SIGUSR2). */
  unplug(): void;
  replug(): void;
}

/**
 * For the controller: write the config to `<configDir>/twin-modem-<ueId>.json` and start
 * `ranlab twin-modem` (the compiled CLI) as a supervised child with a lifeline; resolves when
 * it has printed its pty.
 */
export async function startTwinModem(sup: Supervisor, config: TwinModemConfig, configDir: string): Promise<StartedTwinModem> {
  const cfg = parseTwinModemConfig(config);
  mkdirSync(configDir, { recursive: true });
  if (cfg.linkPath) mkdirSync(dirname(cfg.linkPath), { recursive: true });
  const configPath = join(configDir, `twin-modem-${cfg.ueId}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const esc = cfg.ueId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const child = await sup.start({
    name: `twin-modem-${cfg.ueId}`,
    command: process.execPath,
    args: [childEntry, 'twin-modem', '--config', configPath],
    readyLine: new RegExp(`^twin modem ${esc} on (\\S+)$`),
    lifeline: true,
    readyTimeoutMs: 15_000,
  });
  const slavePath = child.ready?.[1] ?? '';
  return {
    child,
    slavePath,
    port: cfg.linkPath ?? slavePath,
    configPath,
    unplug: () => process.kill(child.pid, 'SIGUSR1'),
    replug: () => process.kill(child.pid, 'SIGUSR2'),
  };
}
