// Start-up to the first epoch of `ranlab trial rigs/twin.yaml --epochs 1`: from spawn until the
// trial's progress line for epoch 0 appears (the trial then finishes, untimed). B: `node -e 0`
// from spawn to exit. Interleaved in this process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, interleave } from './lib/interleave.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(args, until) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let at = null;
    const seen = (d) => {
      out += d;
      if (until && at === null && until.test(out)) at = performance.now() - t0;
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => {
      const end = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(-2000)}`));
      if (until && at === null) return reject(new Error(`${args.join(' ')} never printed ${until}: ${out.slice(-2000)}`));
      resolve(until ? at : end);
    });
  });
}

export default async function startup({ rounds = 5, log }) {
  const tmp = mkdtempSync(join(tmpdir(), 'ranlab-bench-startup-'));
  try {
    log('ranlab trial rigs/twin.yaml --epochs 1 vs node -e 0');
    const samples = await interleave(
      rounds,
      () => run(['bin/ranlab.js', 'trial', 'rigs/twin.yaml', '--epochs', '1', '--results', join(tmp, 'results'), '--state', join(tmp, 'state')], /epoch 0\/1/),
      () => run(['-e', '0']),
    );
    return [figure('startup to first epoch', 'ms', samples)];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
