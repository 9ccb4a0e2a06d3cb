// Gas per call on the real dev chain at 2, 8 and 64 operators (the figures go in the note), and
// the formula in harness/ledger/gas.ts bounds every call across n: the client sends that limit
// instead of estimating each call.
import { describe, expect, test } from 'vitest';
import { Ledger, gasLimit, type InProcessChain, type LedgerCall } from '../harness/ledger/index.js';

async function lastGas(chain: InProcessChain): Promise<bigint> {
  const block = (await chain.admin.request({ method: 'eth_getBlockByNumber', params: ['latest', false] } as never)) as { gasUsed: string };
  return BigInt(block.gasUsed);
}

/** The most gas each call took in two epochs: saturated demand, then partial use with refunds and holding charges. */
async function measure(n: number): Promise<Record<Exclude<LedgerCall, 'approve'>, bigint>> {
  const names = Array.from({ length: n }, (_, i) => `op-${i}`);
  const { ledger, chain } = await Ledger.embeddedWithChain({
    operators: names,
    spectrum: { initialBalances: names.map((_, i) => (i + 1) / ((n * (n + 1)) / 2)), bandMHz: 40, tokenUnitKHz: 180, supplyTokens: 100_000, priceTokensPerUnitSecond: 1, epochMs: 1000, settleWindowBlocks: 3 * n + 5 },
  });
  const most: Record<string, bigint> = { request: 0n, decide: 0n, settle: 0n, settleOverdue: 0n };
  const note = async (call: string) => {
    const g = await lastGas(chain);
    if (g > most[call]!) most[call] = g;
  };
  for (let e = 1n; e <= 2n; e++) {
    for (const op of names) {
      await ledger.request(e, op, e === 1n ? 222 : (names.indexOf(op) * 7) % 223); // epoch 2: uneven demands, many water-filling rounds
      await note('request');
    }
    const grants = await ledger.decide(e);
    await note('decide');
    for (const [i, op] of names.entries()) {
      if (e === 2n && i === n - 1) continue; // left for settleOverdue (its demand, 7(n-1) mod 223, is not 0)
      await ledger.settle(e, op, Math.floor(grants.get(op)!.units / (e === 1n ? 1 : 2)));
      await note('settle');
    }
  }
  await chain.admin.request({ method: 'hardhat_mine', params: [`0x${(3 * n + 10).toString(16)}`] } as never);
  await ledger.settleOverdue(2n, names[n - 1]!, names[0]!);
  await note('settleOverdue');
  await ledger.close();
  return most as Record<Exclude<LedgerCall, 'approve'>, bigint>;
}

describe('gas per call', () => {
  test('measured at 2, 8 and 64 operators, always under the formula the client sends', async () => {
    const rows: string[] = [];
    for (const n of [2, 8, 64]) {
      const m = await measure(n);
      rows.push(`n=${n}: ` + Object.entries(m).map(([call, g]) => `${call} ${g} (limit ${gasLimit(call as LedgerCall, n)})`).join(', '));
      for (const [call, g] of Object.entries(m)) expect(g, `${call} at n=${n}`).toBeLessThan(gasLimit(call as LedgerCall, n));
    }
    console.info(`gas used (most per call):\n${rows.join('\n')}`);
  }, 240_000);
});
