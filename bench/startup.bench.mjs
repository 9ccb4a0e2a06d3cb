// Start-up to the first epoch of `ranlab trial rigs/twin.yaml --epochs 1`: from spawn until the
// trial's progress line for epoch 0 appears, printed when bring-up is done and the first epoch
// starts (the trial then finishes, untimed). Two figures, each A/B interleaved in this process:
//   - this tree against the commit before parallel bring-up (BASE, default f768794; override with
//     RANLAB_BENCH_STARTUP_BASE), checked out with `git worktree add` into a temporary folder,
//     built there with `npm run build` on its own dependencies (this tree's node_modules when
//     the lockfiles match, else `npm ci` from the cache), removed at the end;
//   - this tree against `node -e 0` (spawn to exit).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, interleave } from './lib/interleave.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BASE = process.env.RANLAB_BENCH_STARTUP_BASE ?? 'f768794';

function run(cwd, args, until) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
      if (code !== 0) return reject(new Error(`${args.join(' ')} (in ${cwd}) exited ${code}: ${out.slice(-2000)}`));
      if (until && at === null) return reject(new Error(`${args.join(' ')} never printed ${until}: ${out.slice(-2000)}`));
      resolve(until ? at : end);
    });
  });
}

function sh(cwd, cmd, args) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${(r.stderr || r.stdout).slice(-2000)}`);
  return r.stdout;
}

/** The base commit checked out and built in a temporary folder; `remove()` deletes it. */
function checkoutBase(tmp, log) {
  const dir = join(tmp, 'base');
  const commit = sh(root, 'git', ['rev-parse', '--verify', `${BASE}^{commit}`]).trim();
  log(`building ${BASE} (${commit.slice(0, 10)}) in ${dir}`);
  sh(root, 'git', ['worktree', 'add', '--detach', dir, commit]);
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root });
    rmSync(dir, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
  };
  try {
    // The base runs with its own dependencies: this tree's when the lockfiles are the same, else
    // its lockfile's, installed from npm's cache where it has them (no install scripts: the
    // spectrum trial needs none of them).
    if (readFileSync(join(root, 'package-lock.json'), 'utf8') === readFileSync(join(dir, 'package-lock.json'), 'utf8'))
      symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
    else {
      log(`installing ${BASE}'s dependencies (its lockfile differs from this tree's)`);
      sh(dir, 'npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund']);
    }
    sh(dir, 'npm', ['run', 'build']);
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, commit, remove };
}

export default async function startup({ rounds = 5, log }) {
  const tmp = mkdtempSync(join(tmpdir(), 'ranlab-bench-startup-'));
  const trial = (cwd, side) => () =>
    run(cwd, ['bin/ranlab.js', 'trial', 'rigs/twin.yaml', '--epochs', '1', '--results', join(tmp, side, 'results'), '--state', join(tmp, side, 'state')], /epoch 0\/1/);
  let base = null;
  try {
    base = checkoutBase(tmp, log);
    log(`ranlab trial rigs/twin.yaml --epochs 1, to the first epoch: this tree vs ${BASE}`);
    const vsBase = await interleave(rounds, trial(root, 'head'), trial(base.dir, 'base'));
    log('ranlab trial rigs/twin.yaml --epochs 1, to the first epoch: this tree vs node -e 0');
    const vsNode = await interleave(rounds, trial(root, 'head'), () => run(root, ['-e', '0']));
    return [
      figure(`startup to first epoch vs ${BASE}`, 'ms', vsBase, { base: base.commit.slice(0, 10) }),
      figure('startup to first epoch vs node', 'ms', vsNode),
    ];
  } finally {
    base?.remove();
    rmSync(tmp, { recursive: true, force: true });
  }
}
