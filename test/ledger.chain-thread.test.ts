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
startChainThread();
const thread = await epoch();
const threadLoadedHere = hardhatHere();
const here = await epoch();
console.log(JSON.stringify({ thread, here, threadLoadedHere, hereLoaded: hardhatHere() }));
process.exit(0);
`;

test('the chain thread: the same epoch, revert message and refusals as on this thread; Hardhat not loaded here', () => {
  if (!existsSync(join(dist, 'ledger', 'chain-thread.js'))) throw new Error('dist/ is missing the chain thread: run npm run build first');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { thread: Record<string, unknown>; here: Record<string, unknown>; threadLoadedHere: boolean; hereLoaded: boolean };
  expect(out.thread.grants).toEqual([['op-a', 0, 111], ['op-b', 111, 111]]);
  expect(out.thread.again).toMatch(/reverted: AlreadySettled\(epoch=\d+, operator=<address> \(op-b\)\)/);
  expect(out.thread.admin).toMatch(/administrative method: refused/);
  // Everything the client reports is the same (addresses differ: fresh keys, masked above).
  expect(out.thread).toEqual(out.here);
  // The first ledger's chain ran on the thread; the second (no thread started) on this one.
  expect(out.threadLoadedHere).toBe(false);
  expect(out.hereLoaded).toBe(true);
});
