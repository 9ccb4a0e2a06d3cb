// `ranlab report <trial-id>`: rebuild results/<trial-id>/report.html from report.json and InfluxDB.
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

export function registerReport(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description('rebuild a trial\'s HTML report (results/<trial-id>/report.html) from its results folder and InfluxDB')
    .argument('<trial-id>', 'the trial, as its results folder is named')
    .option('--results <dir>', 'results folder', ctx.defaults.results)
    .option('--state <dir>', 'state folder (the embedded influxd\'s data, started again when the trial\'s server is gone)', ctx.defaults.state)
    .action(async (trialId: string, o: { results: string; state: string }) => {
      const { loadTrialData, writeTrialHtml } = await import('../report/html/index.js');
      const trials = await loadTrialData(o.results, [trialId], o.state);
      const path = writeTrialHtml(join(o.results, trialId, 'report.html'), trials, `ranlab trial ${trialId}`);
      process.stdout.write(`${path}\n`);
    });
}
