// `ranlab compare <a> <b>`: two trials side by side in one HTML page (random against ledger is
// seeds/004 Figs 2 and 3).
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export function registerCompare(program: Command, ctx: CommandContext): void {
  program
    .command('compare')
    .description('put two trials side by side in one HTML page: the same charts of each in one row')
    .argument('<trial-a>', 'first trial id (left column)')
    .argument('<trial-b>', 'second trial id (right column)')
    .option('--results <dir>', 'results folder', ctx.defaults.results)
    .option('--state <dir>', 'state folder (the embedded influxd\'s data)', ctx.defaults.state)
    .option('--out <file>', 'the HTML file (default: results/compare-<a>-vs-<b>.html)')
    .action(async (a: string, b: string, o: { results: string; state: string; out?: string }) => {
      const { loadTrialData, writeTrialHtml } = await import('../report/html/index.js');
      const trials = await loadTrialData(o.results, [a, b], o.state);
      const path = writeTrialHtml(o.out ?? join(o.results, `compare-${a}-vs-${b}.html`), trials, `ranlab compare: ${a} vs ${b}`);
      process.stdout.write(`${path}\n`);
    });
}
