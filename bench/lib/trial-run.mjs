// One in-process spectrum trial on a twin rig (from dist/), with the epoch records and the
// wall-clock times of its first and last epoch (bring-up and teardown excluded). The embedded
// chain runs on its own thread, as under `ranlab trial`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function twinTrial(rigFile, opts) {
  const { loadRig } = await import(join(root, 'dist/harness/rig/index.js'));
  const { runSpectrumTrial } = await import(join(root, 'dist/harness/trial/index.js'));
  // As `ranlab trial` runs it: an embedded chain on its own thread.
  (await import(join(root, 'dist/harness/ledger/chain-thread-client.js'))).startChainThread();
  const tmp = mkdtempSync(join(tmpdir(), 'ranlab-bench-trial-'));
  const records = [];
  let started = 0;
  let ended = 0;
  const progress = {
    start: () => (started = performance.now()),
    update: (n) => {
      if (n === opts.epochs) ended = performance.now();
    },
    stop: () => {},
  };
  try {
    const o = await runSpectrumTrial(loadRig(join(root, rigFile)), { ...opts, records, progress, resultsRoot: join(tmp, 'results'), stateDir: join(tmp, 'state') });
    if (o.error) throw new Error(`trial failed: ${o.error.message}`);
    return { records, loopMs: ended - started, report: o.report };
  } finally {
    // The trial's results and its influxd's data: only the figures above are kept.
    rmSync(tmp, { recursive: true, force: true });
  }
}
