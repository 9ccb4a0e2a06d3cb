// ComputeMarket (seeds/003) on the in-process chain: services registered, updated and
// withdrawn by their owners; discovery picks the cheapest service whose predicted latency
// meets the target; the owner's payment is exactly measured compute seconds x price (µtokens,
// floored), the payer gets the rest of the deposit back, and the supply is conserved.
import fc from 'fast-check';
import { createPublicClient, createWalletClient, custom, erc20Abi, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { expect, test } from 'vitest';
import { ComputeMarket, computePayment, labTokenAbi, loadArtifact, pickService, startInProcessChain } from '../harness/ledger/index.js';

async function setup() {
  const [deployer, payer, ownerA, ownerB, stranger] = Array.from({ length: 5 }, () => generatePrivateKey());
  const chain = await startInProcessChain([deployer!, payer!, ownerA!, ownerB!, stranger!], 10n ** 22n);
  const pub = createPublicClient({ transport: custom(chain.provider) });
  const dep = privateKeyToAccount(deployer!);
  const w = createWalletClient({ account: dep, transport: custom(chain.provider) });
  const supply = 1_000_000_000_000n;
  const hash = await w.deployContract({ abi: labTokenAbi, bytecode: loadArtifact('LabToken').bytecode, args: [supply, dep.address], account: dep, chain: null });
  const token = (await pub.waitForTransactionReceipt({ hash, pollingInterval: 5 })).contractAddress!;
  const t = await w.writeContract({ address: token, abi: erc20Abi, functionName: 'transfer', args: [privateKeyToAccount(payer!).address, 100_000_000_000n], account: dep, chain: null });
  await pub.waitForTransactionReceipt({ hash: t, pollingInterval: 5 });
  const market = await ComputeMarket.deploy(chain.provider, deployer!, token);
  const balanceOf = (k: Hex) => pub.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [privateKeyToAccount(k).address] });
  const all = async () => (await Promise.all([deployer!, payer!, ownerA!, ownerB!, stranger!].map(balanceOf))).reduce((a, b) => a + b, 0n) + (await pub.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [market.address as Address] }));
  return { market, token, payer: payer!, ownerA: ownerA!, ownerB: ownerB!, stranger: stranger!, balanceOf, supply, all };
}

test('discovery picks the cheapest service meeting the target; owners update and withdraw; only the owner may', async () => {
  const m = await setup();
  const a = await m.market.register(m.ownerA, { endpoint: 'edge-a:7001', model: 'patchnet-128', priceMicroPerSecond: 500_000n, capacity: 4 });
  const b = await m.market.register(m.ownerB, { endpoint: 'edge-b:7001', model: 'patchnet-128', priceMicroPerSecond: 200_000n, capacity: 1 });
  await m.market.register(m.ownerB, { endpoint: 'edge-b:7002', model: 'other-model', priceMicroPerSecond: 1n, capacity: 1 });
  // edge-b is cheaper, but predicted too slow for a 50 ms target: edge-a wins.
  const predict = (s: { endpoint: string }) => (s.endpoint === 'edge-b:7001' ? 80 : 30);
  expect(pickService(await m.market.services(), 'patchnet-128', predict, 50)?.id).toBe(a);
  expect(pickService(await m.market.services(), 'patchnet-128', predict)?.id).toBe(b);
  await m.market.update(m.ownerA, a, { endpoint: 'edge-a:7001', priceMicroPerSecond: 100_000n, capacity: 4 });
  expect(pickService(await m.market.services(), 'patchnet-128', predict)?.id).toBe(a);
  await m.market.withdraw(m.ownerA, a);
  expect(pickService(await m.market.services(), 'patchnet-128', predict, 50)).toBeNull();
  await expect(m.market.update(m.stranger, b, { endpoint: 'x:1', priceMicroPerSecond: 0n, capacity: 1 })).rejects.toThrow(/NotOwner/);
  await expect(m.market.openSession(m.payer, m.token, a, 1000n)).rejects.toThrow(/ServiceWithdrawn/);
}, 60_000);

test('property: settlement pays the owner compute seconds x price exactly, refunds the rest, conserves supply', async () => {
  const m = await setup();
  const id = await m.market.register(m.ownerA, { endpoint: 'edge-a:7001', model: 'patchnet-128', priceMicroPerSecond: 1n, capacity: 2 });
  await fc.assert(
    fc.asyncProperty(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), async (computeMicros, price, deposit) => {
      await m.market.update(m.ownerA, id, { endpoint: 'edge-a:7001', priceMicroPerSecond: price, capacity: 2 });
      const s = await m.market.openSession(m.payer, m.token, id, deposit);
      const [ownerBefore, payerBefore] = [await m.balanceOf(m.ownerA), await m.balanceOf(m.payer)];
      await expect(m.market.settle(m.stranger, s, computeMicros)).rejects.toThrow(/NotOwner/);
      const r = await m.market.settle(m.ownerA, s, computeMicros);
      const expected = computePayment(computeMicros, price, deposit);
      // The reference, written out: floor(µs x price / 1e6), at most the deposit.
      expect(r.paidMicro).toBe((computeMicros * price) / 1_000_000n < deposit ? (computeMicros * price) / 1_000_000n : deposit);
      expect(r.paidMicro).toBe(expected);
      expect((await m.balanceOf(m.ownerA)) - ownerBefore).toBe(expected);
      expect((await m.balanceOf(m.payer)) - payerBefore).toBe(deposit - expected);
      expect(await m.all()).toBe(m.supply);
      await expect(m.market.settle(m.ownerA, s, computeMicros)).rejects.toThrow(/SessionClosed/);
    }),
    { numRuns: 8 },
  );
}, 120_000);
