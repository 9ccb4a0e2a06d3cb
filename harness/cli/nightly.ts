// `ranlab nightly <suite.yaml>`: the runs of a suite one after another, one JUnit file, one summary.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export function registerNightly(program: Command, ctx: CommandContext): void {
  program
    .command('nightly')
    .description('run a suite of trials one after another (each holding its rig\'s lock on this host); one JUnit file and one summary; exit 0 only if every run passed')
    .argument('<suite>', 'suite file (YAML): name, lockTimeoutS, runs[] of rig, kind, policy, epochs, epochMs, seed, acceptance')
    .option('--junit <file>', 'JUnit XML file (default: junit.xml in the nightly results folder)')
    .option('--results <dir>', 'results folder', ctx.defaults.results)
    .option('--state <dir>', 'state folder: the embedded influxd\'s data and the spools of unwritten points', ctx.defaults.state)
    .option('--lock-dir <dir>', 'where the per-rig locks of this host live', process.env.RANLAB_LOCK_DIR ?? join(tmpdir(), 'ranlab-locks'))
    .option('--json', 'print the summary as JSON')
    .action(async (suitePath: string, o: { junit?: string; results: string; state: string; lockDir: string; json?: boolean }) => {
      const { loadSuite, runNightly, formatNightly } = await import('../nightly/index.js');
      const suite = loadSuite(suitePath);
      const summary = await runNightly(suite, { resultsRoot: o.results, stateDir: o.state, lockDir: o.lockDir, junitPath: o.junit, say: ctx.say, command: `ranlab nightly ${suitePath}` });
      process.stdout.write((o.json ? JSON.stringify(summary, null, 2) : formatNightly(summary)) + '\n');
      ctx.setExit(summary.exitCode);
    });
}
