// The progress bar for long work (epochs), on stderr so stdout stays clean for reports.
import cliProgress from 'cli-progress';
import type { Progress } from '../trial/index.js';

export function epochProgress(): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {value}/{total} [{bar}] {percentage}% | fairness {fairness} | {policy} | eta {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start(total, info) {
      bar.start(total, 0, info);
      started = true;
    },
    update(done, info) {
      bar.update(done, info);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
