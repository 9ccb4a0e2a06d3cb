// UeMarket (seeds/004, contract type 1) on the real dev chain: a UE posts a QoS target, the
// operators offer prices, the lowest offer meeting the target wins, and the UE pays the winner
// in the one LabToken: the winner's balance grows by exactly what the UE paid, supply conserved.
// Contract level here; test/trial-uemarket.test.ts runs the market in a trial.
import fc from 'fast-check';
import { createPublicClient, createWalletClient, custom, erc20Abi, maxUint256, parseAbi, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { expect, test } from 'vitest';
import { labTokenAbi, loadArtifact, startInProcessChain, ueMarketAbi } from '../harness/ledger/index.js';

const marketAbi = parseAbi([
  'constructor(address token_, address[] operators_, uint256 offerWindowBlocks_)',
  'function post(uint256 minKbps) returns (uint256)',
  'function offer(uint256 id, uint256 priceMicroPerMbit, uint256 kbps)',
  'function award(uint256 id)',
  'function pay(uint256 id, uint256 epoch, uint256 kbit) returns (uint256)',
  'function requestOf(uint256 id) view returns ((address ue, uint64 minKbps, uint64 postedAtBlock, uint32 offers, bool awarded, address winner, uint256 price))',
  'error OffersOpen(uint256 id, uint256 closesAtBlock)',
  'error AlreadyPaid(uint256 id, uint256 epoch)',
  'error NotRequester(uint256 id, address account)',
]);

async function setup(nOps: number) {
  const keys = Array.from({ length: nOps + 2 }, () => generatePrivateKey());
  const chain = await startInProcessChain(keys, 10n ** 22n);
  const [deployer, ue, ...ops] = keys.map((k) => privateKeyToAccount(k));
  const pub = createPublicClient({ transport: custom(chain.provider) });
  const send = async (account: PrivateKeyAccount, fn: (w: ReturnType<typeof createWalletClient>) => Promise<Hex>) => {
    const w = createWalletClient({ account, transport: custom(chain.provider) });
    const r = await pub.waitForTransactionReceipt({ hash: await fn(w), pollingInterval: 5 });
    expect(r.status).toBe('success');
    return r;
  };
  const supply = 1_000_000_000n;
  const token = (await send(deployer!, (w) => w.deployContract({ abi: labTokenAbi, bytecode: loadArtifact('LabToken').bytecode, args: [supply, deployer!.address], account: deployer!, chain: null })))
    .contractAddress!;
  const market = (
    await send(deployer!, (w) => w.deployContract({ abi: marketAbi, bytecode: loadArtifact('UeMarket').bytecode, args: [token, ops.map((o) => o.address), 50n], account: deployer!, chain: null }))
  ).contractAddress!;
  await send(deployer!, (w) => w.writeContract({ address: token, abi: erc20Abi, functionName: 'transfer', args: [ue!.address, 10_000_000n], account: deployer!, chain: null }));
  await send(ue!, (w) => w.writeContract({ address: token, abi: erc20Abi, functionName: 'approve', args: [market, maxUint256], account: ue!, chain: null }));
  const balanceOf = (a: Address) => pub.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [a] });
  return { chain, pub, send, token, market, ue: ue!, ops, deployer: deployer!, supply, balanceOf };
}

test('property: the lowest offer meeting the QoS target wins, and the winner gains exactly what the UE pays', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 5 }),
      fc.array(fc.record({ price: fc.integer({ min: 1, max: 5000 }), kbps: fc.integer({ min: 1000, max: 100_000 }) }), { minLength: 5, maxLength: 5 }),
      fc.integer({ min: 1000, max: 100_000 }),
      fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 3 }),
      async (n, offers, target, uses) => {
        const m = await setup(n);
        const w = (a: PrivateKeyAccount) => (fn: Parameters<typeof m.send>[1]) => m.send(a, fn);
        await w(m.ue)((c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'post', args: [BigInt(target)], account: m.ue, chain: null }));
        for (const [k, op] of m.ops.entries())
          await w(op)((c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'offer', args: [0n, BigInt(offers[k]!.price), BigInt(offers[k]!.kbps)], account: op, chain: null }));
        await w(m.deployer)((c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'award', args: [0n], account: m.deployer, chain: null }));
        const r = await m.pub.readContract({ address: m.market, abi: marketAbi, functionName: 'requestOf', args: [0n] });
        // The reference: the lowest price among offers with kbps >= target, lower index on ties.
        let best = -1;
        for (let k = 0; k < n; k++) if (offers[k]!.kbps >= target && (best < 0 || offers[k]!.price < offers[best]!.price)) best = k;
        if (best < 0) {
          expect(r.winner).toBe('0x0000000000000000000000000000000000000000');
          return;
        }
        expect(r.winner).toBe(m.ops[best]!.address);
        expect(r.price).toBe(BigInt(offers[best]!.price));
        for (const [epoch, kbit] of uses.entries()) {
          const before = await m.balanceOf(r.winner);
          const ueBefore = await m.balanceOf(m.ue.address);
          await w(m.ue)((c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'pay', args: [0n, BigInt(epoch), BigInt(kbit)], account: m.ue, chain: null }));
          const paid = ueBefore - (await m.balanceOf(m.ue.address));
          expect(paid).toBe((BigInt(kbit) * r.price) / 1000n);
          expect((await m.balanceOf(r.winner)) - before).toBe(paid);
        }
        const all = await Promise.all([m.deployer.address, m.ue.address, ...m.ops.map((o) => o.address)].map(m.balanceOf));
        expect(all.reduce((a, b) => a + b, 0n)).toBe(m.supply);
      },
    ),
    { numRuns: 12 },
  );
}, 120_000);

test('an award before every operator offered reverts until the window closes; a second payment for an epoch, or a payment by anyone else, reverts', async () => {
  const m = await setup(3);
  await m.send(m.ue, (c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'post', args: [5000n], account: m.ue, chain: null }));
  await m.send(m.ops[0]!, (c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'offer', args: [0n, 7n, 9000n], account: m.ops[0]!, chain: null }));
  await expect(m.send(m.deployer, (c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'award', args: [0n], account: m.deployer, chain: null, gas: 500_000n }))).rejects.toThrow(/revert|OffersOpen/i);
  await m.chain.admin.request({ method: 'hardhat_mine', params: ['0x40'] } as never);
  await m.send(m.deployer, (c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'award', args: [0n], account: m.deployer, chain: null }));
  await m.send(m.ue, (c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'pay', args: [0n, 1n, 1000n], account: m.ue, chain: null }));
  await expect(m.send(m.ue, (c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'pay', args: [0n, 1n, 1000n], account: m.ue, chain: null, gas: 500_000n }))).rejects.toThrow(/revert|AlreadyPaid/i);
  await expect(m.send(m.ops[1]!, (c) => c.writeContract({ address: m.market, abi: marketAbi, functionName: 'pay', args: [0n, 2n, 1000n], account: m.ops[1]!, chain: null, gas: 500_000n }))).rejects.toThrow(/revert|NotRequester/i);
});

test('the client\'s typed UeMarket ABI (harness/ledger/abi.ts) matches the compiled artifact', () => {
  const artifact = loadArtifact('UeMarket').abi as Item[];
  type Item = { type: string; name?: string; stateMutability?: string; inputs?: { type: string; indexed?: boolean; components?: { type: string }[] }[]; outputs?: { type: string; components?: { type: string }[] }[] };
  const t = (p: { type: string; components?: { type: string }[] }): string => (p.components ? `(${p.components.map(t).join(',')})` : p.type);
  const norm = (items: readonly unknown[]) =>
    (items as Item[])
      .map((i) => `${i.type} ${i.name ?? ''}(${(i.inputs ?? []).map((p) => `${t(p)}${p.indexed ? ' indexed' : ''}`).join(',')})${i.type === 'function' ? ` ${i.stateMutability}` : ''}${(i.outputs ?? []).map(t).join(',')}`)
      .sort();
  expect(norm(ueMarketAbi)).toEqual(norm(artifact));
});
