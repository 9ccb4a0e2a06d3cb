// Two nightly runs started at once on one rig from this host: the second waits, then refuses
// naming the holder's pid and start time (exit 3); after kill -9 of the holder the next run
// takes the lock over. Real processes: the ranlab CLI, twin agents, a real influxd and chain.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prepareRig, startTrialEnv, type TrialEnv } from './helpers/rigenv.js';

let env: TrialEnv;
const started: { kill(sig?: NodeJS.Signals): boolean }[] = [];
beforeAll(async () => {
  env = await startTrialEnv();
});
afterAll(async () => {
  for (const p of started) p.kill('SIGKILL');
  await env?.stop();
});

/** A suite of one run on a fresh contract; every rig is named `bench` (one lock). */
async function suiteFile(tag: string, epochs: number, lockTimeoutS: number) {
  const rig = await prepareRig(env, 'rigs/twin.yaml', 'bench', { epochMs: 250 });
  const path = join(env.dir, `${tag}.rig.yaml`);
  writeFileSync(path, readFileSync(rig.path, 'utf8'));
  const file = join(env.dir, `${tag}.yaml`);
  writeFileSync(file, stringify({ name: tag, lockTimeoutS, runs: [{ name: tag, rig: path, policy: 'ledger', epochs, epochMs: 250 }] }));
  return { file, keys: rig.env };
}

function nightly(file: string, keys: Record<string, string>, lockDir: string) {
  const p = execa(process.execPath, ['bin/ranlab.js', 'nightly', file, '--results', mkdtempSync(join(env.dir, 'r-')), '--lock-dir', lockDir], {
    reject: false,
    all: true,
    env: { ...keys, RANLAB_LOG_LEVEL: 'warn' },
  });
  started.push(p);
  return p;
}

it('the second run waits then refuses naming the holder; after kill -9 of the holder the next run takes the lock', async () => {
  const lockDir = mkdtempSync(join(env.dir, 'locks-'));
  const lockFile = join(lockDir, 'bench.lock');
  const [holderSuite, waiterSuite, nextSuite] = [await suiteFile('holder', 200, 5), await suiteFile('waiter', 3, 2), await suiteFile('next', 3, 20)];
  const holder = nightly(holderSuite.file, holderSuite.keys, lockDir);
  // The second starts once the first holds the lock (otherwise which one wins is a race).
  const deadline = Date.now() + 20_000;
  while (!(existsSync(lockFile) && readFileSync(lockFile, 'utf8').includes(`"pid":${holder.pid},`))) {
    expect(Date.now(), 'the holder never took the lock').toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 50));
  }
  const t0 = Date.now();
  const w = await nightly(waiterSuite.file, waiterSuite.keys, lockDir);
  const waitedMs = Date.now() - t0;
  const record = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; startedAt: string; command: string };
  expect(record.pid).toBe(holder.pid);
  expect(w.exitCode, w.all).toBe(3);
  expect(w.all).toMatch(new RegExp(`rig in use by pid ${holder.pid} \\(ranlab nightly ${holderSuite.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\), started ${record.startedAt}; waited 2\\.\\d s`));
  expect(w.all).toMatch(/waiting up to 2 s/);
  expect(waitedMs).toBeGreaterThanOrEqual(2000);

  holder.kill('SIGKILL');
  await holder;
  expect(existsSync(lockFile)).toBe(true); // the dead holder's record is still there
  const n = await nightly(nextSuite.file, nextSuite.keys, lockDir);
  expect(n.exitCode, n.all).toBe(0);
  expect(n.all).toContain(`took over the lock of rig bench from pid ${holder.pid} (started ${record.startedAt}), which is no longer running`);
  // released at the end: the record is cleared
  expect(readFileSync(lockFile, 'utf8')).toBe('');
}, 120_000);
