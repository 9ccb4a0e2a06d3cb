// The embedded chain on its own thread (what `ranlab trial` starts): the same epoch, the same
// decoded revert and the same refusal of administrative methods as on the caller's thread, and
// Hardhat never loaded on the controller's thread. Runs the compiled modules (the thread's
// entry exists only under dist/).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { packageRoot } from '../harness/paths.js';

const dist = join(packageRoot, 'dist', 'harness');

const script = `
import { createRequire } from 'node:module';
import { startChainThread } from ${JSON.stringify(join(dist, 'ledger', 'chain-thread-client.js'))};
import { Ledger } from ${JSON.stringify(join(dist, 'ledger', 'index.js'))};
const twin = { bandMHz: 40, tokenUnitKHz: 180, supplyTokens: 13320, priceTokensPerUnitSecond: 1, epochMs: 1000 };
const hardhatHere = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('hardhat-network'));
async function epoch() {
  const { ledger, chain } = await Ledger.embeddedWithChain({ operators: ['op-a', 'op-b'], spectrum: twin });
  const e = await ledger.currentEpoch();
  await ledger.requestAll(e, new Map([['op-a', 222], ['op-b', 222]]));
  const grants = [...(await ledger.decide(e))].map(([n, g]) => [n, g.startUnit, g.units]);
  const settle = await ledger.settle(e, 'op-b', 60);
  const again = await ledger.settle(e, 'op-b', 60).then(() => 'settled twice', (err) => err.message.replace(/0x[0-9a-fA-F]{40}/g, '<address>'));
  const admin = await chain.provider.request({ method: 'evm_mine', params: [] }).then(() => 'accepted', (err) => err.message);
  const balances = [...(await ledger.balances())].map(([n, b]) => [n, String(b)]);
  await ledger.close();
  return { grants, settle: [String(settle.spentMicro), String(settle.holdingMicro)], again, admin, balances };
}
if (process.argv[1] === 'thread') {
  startChainThread();
  // Two chains on the one thread, one after the other (as two trials in one process).
  const thread = await epoch();
  const second = await epoch();
  console.log(JSON.stringify({ thread, second, loaded: hardhatHere() }));
} else {
  const here = await epoch();
  console.log(JSON.stringify({ here, loaded: hardhatHere() }));
}
process.exit(0);
`;

function run(mode: 'thread' | 'here'): Record<string, unknown> & { loaded: boolean } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, mode], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).not.toMatch(/EdrContext/);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown> & { loaded: boolean };
}

test('the chain thread: the same epoch, revert message and refusals as on this thread; Hardhat not loaded here', () => {
  if (!existsSync(join(dist, 'ledger', 'chain-thread.js'))) throw new Error('dist/ is missing the chain thread: run npm run build first');
  const onThread = run('thread');
  const thread = onThread.thread as Record<string, unknown>;
  expect(thread.grants).toEqual([['op-a', 0, 111], ['op-b', 111, 111]]);
  expect(thread.again).toMatch(/reverted: AlreadySettled\(epoch=\d+, operator=<address> \(op-b\)\)/);
  expect(thread.admin).toMatch(/administrative method: refused/);
  // A second chain on the same thread is a chain of its own, with the same outcome.
  expect(onThread.second).toEqual(thread);
  // Everything the client reports is the same on the caller's thread (addresses differ: fresh keys, masked above).
  const here = run('here');
  expect(here.here).toEqual(thread);
  // Hardhat was loaded only where the chain ran.
  expect(onThread.loaded).toBe(false);
  expect(here.loaded).toBe(true);
});
