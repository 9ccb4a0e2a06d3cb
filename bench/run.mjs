#!/usr/bin/env node
// `npm run bench [-- <name>...] [--json] [--rounds N]`: ranlab's figures against baselines
// measured in the same run, interleaved, as ratios (min and median over rounds). The machine
// is shared and noisy, so only the ratios mean anything. Needs the build (npm run bench does it).
//
//   fanout   control to N = 2, 4, 16 twin agents vs a bare grpc-js fan-out (same proto, same TLS)
//   ingest   InfluxSink vs raw 5,000-line POSTs to a real influxd (steady, and a 200,000-point burst)
//   ledger   one ledger transaction vs the same call pre-signed, sent raw, receipt read, same chain
//   epoch    epoch period vs nominal: 200 ms epochs, 4 operators, real time (epochs with KPM, overruns)
//   virtual  a 100-epoch 4-operator twin trial (1 s epochs) on virtual time vs its nominal 100 s (equal, ledger)
//   startup  `ranlab trial rigs/twin.yaml --epochs 1` to its first epoch, vs the commit before
//            parallel bring-up (built in a temporary worktree) and vs `node -e 0`
//   uhd      libuhd find/open cycles (bench/uhd-find.bench.mjs; its own JSON, not in the default set;
//            `npm run bench -- uhd 2000` for fewer cycles)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BENCHES = {
  fanout: () => import('./fanout.bench.mjs'),
  ingest: () => import('./ingest.bench.mjs'),
  ledger: () => import('./ledger.bench.mjs'),
  startup: () => import('./startup.bench.mjs'),
  epoch: () => import('./epoch.bench.mjs'),
  virtual: () => import('./virtual.bench.mjs'),
};
const DEFAULT = ['fanout', 'ingest', 'ledger', 'startup', 'epoch', 'virtual'];

const args = process.argv.slice(2);
const json = args.includes('--json');
const ri = args.indexOf('--rounds');
const rounds = ri >= 0 ? Number(args[ri + 1]) : undefined;
const names = args.filter((a, i) => !a.startsWith('--') && !(ri >= 0 && i === ri + 1));
for (const n of names) {
  if (n !== 'uhd' && !(n in BENCHES) && !(names.includes('uhd') && /^\d+$/.test(n))) {
    console.error(`no benchmark ${JSON.stringify(n)} (known: ${[...Object.keys(BENCHES), 'uhd'].join(', ')})`);
    process.exit(2);
  }
}

if (names.includes('uhd')) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, 'uhd-find.bench.mjs'), ...names.filter((n) => /^\d+$/.test(n))], { stdio: 'inherit' });
  if (names.length === 1) process.exit(r.status ?? 1);
}

const results = [];
for (const name of (names.length ? names : DEFAULT).filter((n) => n in BENCHES)) {
  const mod = await BENCHES[name]();
  if (!json) console.error(`-- ${name}`);
  const figs = await mod.default({ rounds, log: json ? () => {} : (m) => console.error(`   ${m}`) });
  for (const f of figs) {
    results.push(f);
    if (!json) {
      const extra = Object.entries(f).filter(([k]) => !['name', 'unit', 'rounds', 'ranlab', 'baseline', 'ratio'].includes(k));
      console.log(
        `${f.name.padEnd(28)} ranlab ${f.ranlab.median} ${f.unit} (min ${f.ranlab.min})  baseline ${f.baseline.median} ${f.unit} (min ${f.baseline.min})  ratio median ${f.ratio.median} min ${f.ratio.min}  [${f.rounds} rounds]` +
          (extra.length ? '  ' + extra.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ') : ''),
      );
    }
  }
}
if (json) console.log(JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
