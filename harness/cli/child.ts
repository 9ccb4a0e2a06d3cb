// The entry the controller starts its children through (twin and srsRAN agents, twin modems):
// `<kind> --config <file>` (ran-agent also `--backend <name>`), run without loading the command
// line's parser and every command's modules, so that a child is up in a fraction of the time.
// Any other command line (help, another option) goes to the full CLI, which then behaves as usual.
import { ConfigError, exitCodeOf, messageOf } from '../errors.js';

type ChildRun = () => Promise<void>;

/** The run for an argv the fast path knows, or null. */
function childRun(argv: readonly string[]): ChildRun | null {
  const [kind, ...rest] = argv;
  const opts = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const [k, v] = [rest[i]!, rest[i + 1]];
    if (!/^--(config|backend)$/.test(k) || v === undefined || v.startsWith('-') || opts.has(k)) return null;
    opts.set(k, v);
  }
  const config = opts.get('--config');
  if (config === undefined) return null;
  if (kind === 'twin-modem' && opts.size === 1)
    return async () => (await import('../twin/modem.js')).runTwinModem(config);
  if (kind === 'twin-gnb' && opts.size === 1)
    return async () => (await import('../ran/agent/index.js')).runRanAgent('twin', config);
  const backend = opts.get('--backend');
  if (kind === 'ran-agent' && backend !== undefined)
    return async () => (await import('../ran/agent/index.js')).runRanAgent(backend, config);
  return null;
}

const run = childRun(process.argv.slice(2));
if (!run) await import('./main.js');
else {
  try {
    await run();
  } catch (err) {
    // As the CLI reports a command's failure (main.ts): the message, and its exit code.
    if (!(err instanceof ConfigError)) (await import('../log.js')).log.debug({ err }, 'command failed');
    process.stderr.write(`ranlab: error: ${messageOf(err)}\n`);
    process.exit(exitCodeOf(err));
  }
}
