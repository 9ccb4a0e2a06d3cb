// SpectrumLedger and LabToken on a real dev chain (Hardhat's EDR, in this process), as an
// adversarial operator would try them. Each rule is a property over random operator counts,
// demands and orders of calls; every sequence is also checked against the pure reference
// (harness/ledger/grants.ts) and for exact conservation of the token supply.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createWalletClient, custom, encodeFunctionData, parseAbi, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import {
  Ledger,
  ledgerParamsOf,
  spectrumLedgerAbi,
  type InProcessChain,
  type SpectrumConfig,
} from '../harness/ledger/index.js';
import { computeGrants, escrowOf, settlementOf, shareAmongOthers } from './helpers/ledger-model.js';
import { contractsBuildDir } from '../harness/paths.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `op-${i}`);
const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const base: SpectrumConfig = { bandMHz: 4, tokenUnitKHz: 180, supplyTokens: 1000, priceTokensPerUnitSecond: 1, epochMs: 200, holdingChargePct: 10 };

async function deploy(n: number, spectrum: Partial<SpectrumConfig> = {}) {
  return Ledger.embeddedWithChain({ operators: names(n), spectrum: { ...base, ...spectrum } });
}

async function mine(chain: InProcessChain, blocks: number): Promise<void> {
  await chain.admin.request({ method: 'hardhat_mine', params: [`0x${blocks.toString(16)}`] } as never);
}

async function balancesOf(l: Ledger): Promise<bigint[]> {
  const b = await l.balances();
  return l.operatorNames.map((n) => b.get(n)!);
}

async function conserved(l: Ledger): Promise<void> {
  expect(sum(await balancesOf(l)) + (await l.escrowed())).toBe(await l.totalSupply());
}

/** A funded account that is not an operator, sending through the chain (the admin funds it). */
async function stranger(chain: InProcessChain) {
  const account = privateKeyToAccount(generatePrivateKey());
  await chain.admin.request({ method: 'hardhat_setBalance', params: [account.address, '0x56bc75e2d63100000'] } as never);
  return createWalletClient({ account, transport: custom(chain.provider) });
}

const reverted = async (p: Promise<unknown>, name: string) => {
  await expect(p).rejects.toThrow(new RegExp(`${name}\\(`));
};

test('the typed ABI in harness/ledger/abi.ts matches the compiled artifact', () => {
  const artifact = JSON.parse(readFileSync(join(contractsBuildDir, 'SpectrumLedger.json'), 'utf8')) as { abi: unknown[] };
  type Item = { type: string; name?: string; stateMutability?: string; inputs?: { type: string; indexed?: boolean; components?: { type: string }[] }[]; outputs?: { type: string }[] };
  const t = (p: { type: string; components?: { type: string }[] }): string => (p.components ? `(${p.components.map(t).join(',')})` : p.type);
  const norm = (items: readonly unknown[]) =>
    (items as Item[])
      .map((i) => `${i.type} ${i.name ?? ''}(${(i.inputs ?? []).map((p) => `${t(p)}${p.indexed ? ' indexed' : ''}`).join(',')})${i.type === 'function' ? ` ${i.stateMutability}` : ''}${(i.outputs ?? []).map((p) => p.type).join(',')}`)
      .sort();
  expect(norm(spectrumLedgerAbi)).toEqual(norm(artifact.abi));
});

describe('one token, fixed supply', () => {
  test('the supply is minted once and spread by initialBalances; the token has no mint', async () => {
    const { ledger } = await deploy(2, { initialBalances: [0.8, 0.2] });
    expect(await balancesOf(ledger)).toEqual([800_000_000n, 200_000_000n]);
    expect(await ledger.totalSupply()).toBe(1_000_000_000n);
    const abi = JSON.parse(readFileSync(join(contractsBuildDir, 'LabToken.json'), 'utf8')).abi as { name?: string }[];
    expect(abi.map((i) => i.name).filter((x) => x && /mint|burn/i.test(x))).toEqual([]);
  });
});

describe('epochs the contract sequences', () => {
  test('property: decide before the window closes reverts for anyone; after all requested, or after the block timeout, anyone may decide', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.nat(), async (n, window, pick) => {
        const { ledger, chain } = await deploy(n, { requestWindowBlocks: window + n });
        const e = await ledger.currentEpoch();
        expect(e).toBe(1n);
        const requesters = names(n).slice(0, 1 + (pick % (n - 1))); // not everyone
        for (const op of requesters) await ledger.request(e, op, 5);
        await reverted(ledger.decide(e, names(n)[n - 1]), 'WindowOpen');
        const other = await stranger(chain);
        const data = encodeFunctionData({ abi: spectrumLedgerAbi, functionName: 'decide', args: [e] });
        await expect(other.sendTransaction({ to: ledger.contract, data, chain: null, gas: 3_000_000n })).rejects.toThrow(/WindowOpen|revert/);
        await mine(chain, window + n);
        // A late request does not reopen the window; decide is now anyone's.
        await reverted(ledger.request(e, names(n)[n - 1]!, 1), 'EpochNotOpen');
        await other.sendTransaction({ to: ledger.contract, data, chain: null, gas: 3_000_000n });
        expect(await ledger.currentEpoch()).toBe(2n);
        // Next epoch: everyone requests, so it closes at once.
        for (const op of names(n)) await ledger.request(2n, op, 1);
        const g = await ledger.decide(2n, names(n)[0]);
        expect([...g.values()].every((x) => x.units === 1)).toBe(true);
        await conserved(ledger);
      }),
      { numRuns: 15 },
    );
  });

  test('property: requests for a decided, past or future epoch revert; a caller cannot choose the epoch length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 50 }), async (n, epochs, ahead) => {
        const { ledger, chain } = await deploy(n);
        for (let e = 1n; e <= BigInt(epochs); e++) {
          for (const op of names(n)) await ledger.request(e, op, 3);
          await ledger.decide(e);
        }
        const cur = BigInt(epochs + 1);
        expect(await ledger.currentEpoch()).toBe(cur);
        await reverted(ledger.request(BigInt(epochs), names(n)[0]!, 1), 'EpochNotOpen');
        await reverted(ledger.request(1n, names(n)[1]!, 1), 'EpochNotOpen');
        await reverted(ledger.request(cur + BigInt(ahead), names(n)[0]!, 1), 'EpochNotOpen');
        await reverted(ledger.decide(cur + BigInt(ahead)), 'EpochNotOpen');
        // The old interface, decide(epoch, epochMs): no such function, the call reverts.
        const old = encodeFunctionData({ abi: parseAbi(['function decide(uint256 epoch, uint256 epochMs)']), functionName: 'decide', args: [cur, 1n] });
        const other = await stranger(chain);
        await expect(other.sendTransaction({ to: ledger.contract, data: old, chain: null, gas: 3_000_000n })).rejects.toThrow(/revert/i);
        const info = await ledger.info();
        expect(info.epochMs).toBe(200n);
      }),
      { numRuns: 12 },
    );
  });
});

describe('paying for what was granted', () => {
  test('property: settling above the grant, an undecided or a future epoch, or twice, reverts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.array(fc.integer({ min: 0, max: 22 }), { minLength: 6, maxLength: 6 }), async (n, demands) => {
        const { ledger } = await deploy(n);
        await reverted(ledger.settle(1n, names(n)[0]!, 0), 'EpochNotDecided');
        for (const [i, op] of names(n).entries()) await ledger.request(1n, op, demands[i]!);
        const grants = await ledger.decide(1n);
        for (const [op, g] of grants) {
          await reverted(ledger.settle(1n, op, g.units + 1), 'UseExceedsGrant');
          await ledger.settle(1n, op, g.units);
          await reverted(ledger.settle(1n, op, 0), 'AlreadySettled');
        }
        await reverted(ledger.settle(2n, names(n)[0]!, 0), 'EpochNotDecided');
        await reverted(ledger.settle(99n, names(n)[1]!, 0), 'EpochNotDecided');
        await conserved(ledger);
      }),
      { numRuns: 15 },
    );
  });

  test('property: a settlement missed by its deadline is charged at the full grant, by anyone, and only after the deadline', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 6 }), async (n, windowBlocks) => {
        const { ledger, chain } = await deploy(n, { settleWindowBlocks: windowBlocks });
        for (const op of names(n)) await ledger.request(1n, op, 22);
        const grants = await ledger.decide(1n);
        const [late, by] = [names(n)[0]!, names(n)[1]!];
        await reverted(ledger.settleOverdue(1n, late, by), 'SettlementNotDue');
        await mine(chain, windowBlocks + 1);
        await reverted(ledger.settle(1n, late, 0), 'SettlementOverdue');
        const before = await balancesOf(ledger);
        const s = await ledger.settleOverdue(1n, late, by);
        expect(s).toMatchObject({ overdue: true, usedUnits: grants.get(late)!.units, spentMicro: grants.get(late)!.escrowMicro, holdingMicro: 0n, refundMicro: 0n });
        expect((await balancesOf(ledger))[0]).toBe(before[0]); // nothing back
        await conserved(ledger);
      }),
      { numRuns: 12 },
    );
  });

  test('property: over random epochs, demands, uses and call orders the contract equals the reference and the supply is conserved exactly after every transaction', async () => {
    const epoch = fc.record({
      demands: fc.array(fc.integer({ min: 0, max: 22 }), { minLength: 5, maxLength: 5 }),
      useFractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
      settleOrder: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
      decider: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 50 }), fc.array(epoch, { minLength: 1, maxLength: 4 }), async (n, holdingPct, epochs) => {
        const spectrum = { ...base, supplyTokens: 50, holdingChargePct: holdingPct };
        const { ledger } = await deploy(n, spectrum);
        const p = ledgerParamsOf(spectrum);
        const ops = names(n);
        let bal = await balancesOf(ledger);
        for (const [i, ep] of epochs.entries()) {
          const e = BigInt(i + 1);
          const order = ops.map((_, k) => k).sort((a, b) => (ep.settleOrder[a]! % 7) - (ep.settleOrder[b]! % 7) || a - b);
          for (const k of order) await ledger.request(e, ops[k]!, ep.demands[k]!);
          const grants = await ledger.decide(e, ops[ep.decider % n]);
          const expected = computeGrants({ balances: bal, requests: ep.demands.slice(0, n).map(BigInt), bandUnits: p.bandUnits, priceMicro: p.priceMicroPerUnitSecond, epochMs: p.epochMs });
          expect(ops.map((o) => BigInt(grants.get(o)!.units))).toEqual(expected);
          bal = bal.map((b, k) => b - escrowOf(expected[k]!, p.priceMicroPerUnitSecond, p.epochMs));
          await conserved(ledger);
          for (const k of order) {
            const g = grants.get(ops[k]!)!;
            const used = Math.floor(g.units * ep.useFractions[k]!);
            const s = await ledger.settle(e, ops[k]!, used);
            const ref = settlementOf(g.escrowMicro, BigInt(g.units), BigInt(used), p.holdingBps);
            expect([s.spentMicro, s.holdingMicro, s.refundMicro]).toEqual([ref.spent, ref.holding, ref.refund]);
            if (used < g.units && holdingPct > 0 && g.escrowMicro > 10_000n) expect(s.holdingMicro).toBeGreaterThan(0n);
            bal[k]! += ref.refund;
            bal = shareAmongOthers(bal, k, ref.spent + ref.holding, e);
            expect(await balancesOf(ledger)).toEqual(bal);
            await conserved(ledger);
          }
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('fairness lock-out (seeds/001)', () => {
  test('an operator above its share over the window is denied grants for the lock-out epochs, and the event says so', async () => {
    const { ledger } = await deploy(2, { fairness: { windowEpochs: 2, maxShare: 0.6, lockoutEpochs: 2 } });
    const W = Number((await ledger.info()).bandUnits);
    const granted: number[][] = [];
    for (let e = 1n; e <= 6n; e++) {
      await ledger.request(e, 'op-0', W);
      await ledger.request(e, 'op-1', 2);
      const g = await ledger.decide(e);
      granted.push([g.get('op-0')!.units, g.get('op-1')!.units]);
      for (const [op, x] of g) await ledger.settle(e, op, x.units);
    }
    // Epochs 1-2: op-0 takes W-2 each (2(W-2) > 60 % of 2W over the 2-epoch window) -> no grant in
    // epochs 3 and 4 (op-1 still gets only what it asked); then again 5-6, locked out 7-8.
    expect(granted.map((g) => g[0])).toEqual([W - 2, W - 2, 0, 0, W - 2, W - 2]);
    expect(granted.map((g) => g[1])).toEqual([2, 2, 2, 2, 2, 2]);
    expect(await ledger.lockedUntil('op-0')).toBe(8n);
    expect(await ledger.lockedUntil('op-1')).toBe(0n);
    await conserved(ledger);
  });
});

export type { Hex };
