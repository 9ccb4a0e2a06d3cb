// Operator strategies (harness/trial/strategies.ts): what each requests and uses, and the
// bursty traffic process (seeded, repeatable, with spells rather than coin flips).
import { expect, test } from 'vitest';
import { burstProcess, demandOf, useOf } from '../harness/trial/strategies.js';

const ctx = { bandUnits: 222, operators: 4, on: true };

test('demands: the whole band, W/n, W/n by balance, or W/n only while on', () => {
  expect(demandOf('saturated', ctx)).toBe(222);
  expect(demandOf('greedy', ctx)).toBe(222);
  expect(demandOf('hoarder', ctx)).toBe(222);
  expect(demandOf('fair', ctx)).toBe(55);
  expect(demandOf('bursty', ctx)).toBe(55);
  expect(demandOf('bursty', { ...ctx, on: false })).toBe(0);
  expect(demandOf('adaptive', { ...ctx, balanceMicro: 2_000n, meanBalanceMicro: 1_000n })).toBe(110);
  expect(demandOf('adaptive', { ...ctx, balanceMicro: 0n, meanBalanceMicro: 1_000n })).toBe(0);
  expect(demandOf('adaptive', { ...ctx, balanceMicro: 10_000n, meanBalanceMicro: 1_000n })).toBe(222);
  expect(demandOf('adaptive', ctx)).toBe(55); // no ledger: no balances to scale by
});

test('use: a hoarder transmits on none of its grant, greedy on all, the others up to their demand', () => {
  expect(useOf('hoarder', 100, 222)).toBe(0);
  expect(useOf('greedy', 100, 222)).toBe(100);
  expect(useOf('saturated', 100, 222)).toBe(100);
  expect(useOf('fair', 100, 55)).toBe(55);
  expect(useOf('bursty', 40, 55)).toBe(40);
});

test('the bursty process is repeatable from its seed, differs between operators, and comes in spells', () => {
  const run = (seed: number, op: number) => {
    const p = burstProcess(seed, op);
    return Array.from({ length: 400 }, () => p());
  };
  expect(run(7, 1)).toEqual(run(7, 1));
  expect(run(7, 1)).not.toEqual(run(7, 2));
  expect(run(7, 1)).not.toEqual(run(8, 1));
  const xs = run(7, 1);
  const onShare = xs.filter(Boolean).length / xs.length;
  expect(onShare).toBeGreaterThan(0.3);
  expect(onShare).toBeLessThan(0.7);
  const switches = xs.slice(1).filter((x, i) => x !== xs[i]).length;
  // Spells end with probability 0.3 per epoch: about 120 switches in 400 epochs, far from a coin's 200.
  expect(switches).toBeGreaterThan(80);
  expect(switches).toBeLessThan(160);
});
