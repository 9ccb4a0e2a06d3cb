// The ledger's pure parts: the reference grant and settlement arithmetic (the contract is
// compared against it in ledger.contract.test.ts), fixed-point units, and key sources.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../harness/errors.js';
import {
  bandUnitsOf,
  initialBalancesOf,
  ledgerParamsOf,
  loadOperatorKey,
  microToTokens,
  tokensToMicro,
} from '../harness/ledger/index.js';
import { affordableUnits, computeGrants, epochsToConverge, escrowOf, saturatedContraction, settlementOf, shareAmongOthers } from './helpers/ledger-model.js';

const M = 1_000_000n;

describe('reference grants (water-filling)', () => {
  const base = { bandUnits: 222n, priceMicro: M, epochMs: 1000n };

  test('equal balances and saturated requests give W/n each, leftover by lower index', () => {
    expect(computeGrants({ ...base, balances: [5000n * M, 5000n * M], requests: [222n, 222n] })).toEqual([111n, 111n]);
    // 222 / 4 = 55.5: equal remainders, the two lower indices get the extra unit.
    const b = initialBalancesOf(13_320n * M, 4);
    expect(computeGrants({ ...base, balances: b, requests: [222n, 222n, 222n, 222n] })).toEqual([56n, 56n, 55n, 55n]);
    // 222 / 5 = 44.4: two extra units.
    expect(computeGrants({ ...base, balances: initialBalancesOf(10_000n * M, 5), requests: Array(5).fill(222n) })).toEqual([45n, 45n, 44n, 44n, 44n]);
  });

  test('a small request is met and the rest is shared by balance', () => {
    // op0 wants 10 (fits its half), op1 and op2 share 212 in proportion 1:1.
    expect(computeGrants({ ...base, balances: [1000n * M, 1000n * M, 1000n * M], requests: [10n, 222n, 222n] })).toEqual([10n, 106n, 106n]);
    // Balance-weighted: 3:1.
    expect(computeGrants({ ...base, balances: [3000n * M, 1000n * M], requests: [222n, 222n] })).toEqual([167n, 55n]);
  });

  test('what an operator can pay caps its grant, and the freed units go to others', () => {
    // op0 can pay for 20 units of 1 s at 1 token/unit/s.
    expect(affordableUnits(20n * M + 999_999n, M, 1000n)).toBe(20n);
    // The band (1000 units) is worth more than both can pay: each gets what it can pay for.
    expect(computeGrants({ ...base, bandUnits: 1000n, balances: [100n * M, 300n * M], requests: [1000n, 1000n] })).toEqual([100n, 300n]);
    // op0 can pay for 20 units, less than its balance share (1000 * 20/120 = 166): op1 gets the rest it can pay for.
    expect(computeGrants({ ...base, bandUnits: 1000n, balances: [20n * M + 5n, 100n * M], requests: [1000n, 1000n] })).toEqual([20n, 100n]);
    expect(computeGrants({ ...base, bandUnits: 100n, balances: [20n * M + 5n, 100n * M], requests: [100n, 100n] })).toEqual([17n, 83n]);
    // Half-second epochs double what a balance buys.
    expect(affordableUnits(20n * M, M, 500n)).toBe(40n);
    // Zero balance: no grant; nobody requesting: nothing granted.
    expect(computeGrants({ ...base, balances: [0n, 100n * M], requests: [222n, 50n] })).toEqual([0n, 50n]);
    expect(computeGrants({ ...base, balances: [100n * M, 100n * M], requests: [0n, 0n] })).toEqual([0n, 0n]);
  });

  test('properties: never more than W, never more than the cap, work-conserving, no one held below its cap gets less than its balance share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }).chain((n) =>
          fc.record({
            bandUnits: fc.bigInt({ min: 1n, max: 2000n }),
            priceMicro: fc.bigInt({ min: 1n, max: 5n * M }),
            epochMs: fc.bigInt({ min: 1n, max: 5000n }),
            balances: fc.array(fc.bigInt({ min: 0n, max: 10_000n * M }), { minLength: n, maxLength: n }),
            requests: fc.array(fc.bigInt({ min: 0n, max: 2000n }), { minLength: n, maxLength: n }),
          }),
        ),
        (inp) => {
          const g = computeGrants(inp);
          const caps = inp.balances.map((b, k) => {
            const a = affordableUnits(b, inp.priceMicro, inp.epochMs);
            return inp.requests[k] < a ? inp.requests[k] : a;
          });
          const total = g.reduce((a, b) => a + b, 0n);
          expect(total <= inp.bandUnits).toBe(true);
          g.forEach((x, k) => expect(x >= 0n && x <= caps[k]).toBe(true));
          // Work-conserving: units are left over only when every cap is met.
          if (total < inp.bandUnits) g.forEach((x, k) => expect(x).toBe(caps[k]));
          // An operator held below its cap never gets less than floor of its balance share of W.
          const sumBal = inp.balances.reduce((a, b) => a + b, 0n);
          g.forEach((x, k) => {
            if (x < caps[k] && sumBal > 0n) expect(x >= (inp.bandUnits * inp.balances[k]) / sumBal).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('reference settlement', () => {
  test('initial balances sum to the supply exactly: equal (remainder to the first operators) or by shares', () => {
    expect(initialBalancesOf(10n, 3)).toEqual([4n, 3n, 3n]);
    expect(initialBalancesOf(13_320n * M + 7n, 4).reduce((a, b) => a + b, 0n)).toBe(13_320n * M + 7n);
    expect(initialBalancesOf(1000n * M, 2, [0.8, 0.2])).toEqual([800n * M, 200n * M]);
    expect(() => initialBalancesOf(10n, 2, [0.5, 0.6])).toThrow(/summing to 1/);
    expect(() => initialBalancesOf(10n, 3, [0.5, 0.5])).toThrow(/2 shares for 3 operators/);
  });

  test('escrow is units x price x ms / 1000; settlement spends the used share, charges holding on the rest, refunds the remainder', () => {
    expect(escrowOf(111n, M, 1000n)).toBe(111n * M);
    expect(escrowOf(111n, 3n, 250n)).toBe(83n); // 111*3*250/1000 = 83.25
    expect(settlementOf(100n, 10n, 10n, 1000n)).toEqual({ spent: 100n, holding: 0n, refund: 0n });
    expect(settlementOf(100n, 10n, 4n, 1000n)).toEqual({ spent: 40n, holding: 6n, refund: 54n });
    expect(settlementOf(100n, 10n, 0n, 0n)).toEqual({ spent: 0n, holding: 0n, refund: 100n });
    // 10 micro-tokens among 3 others: 3 each, the one extra rotates with the epoch.
    expect(shareAmongOthers([90n, 0n, 0n, 0n], 0, 10n, 0n)).toEqual([90n, 4n, 3n, 3n]);
    expect(shareAmongOthers([90n, 0n, 0n, 0n], 0, 10n, 1n)).toEqual([90n, 3n, 4n, 3n]);
    expect(shareAmongOthers([4n, 89n, 0n, 0n], 1, 11n, 2n)).toEqual([8n, 89n, 3n, 4n]);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 1000n }), fc.nat(), fc.integer({ min: 0, max: 10_000 }), (escrow, grant, u, bps) => {
        const used = BigInt(u) % (grant + 1n);
        const s = settlementOf(escrow, grant, used, BigInt(bps));
        expect(s.spent + s.holding + s.refund).toBe(escrow);
        expect(s.refund >= 0n && s.holding >= 0n).toBe(true);
      }),
    );
  });

  test('the saturated dynamics contract by 1 - c n/(n-1) per epoch', () => {
    expect(saturatedContraction(2, 0.25)).toBeCloseTo(0.5);
    expect(saturatedContraction(5, 0.25)).toBeCloseTo(0.6875);
    expect(epochsToConverge(2, 0.25, 1, 0.02)).toBe(6); // 0.5^6 = 0.016
    expect(epochsToConverge(3, 0.25, 0.01, 0.02)).toBe(0);
    expect(epochsToConverge(2, 1, 1, 0.02)).toBe(Infinity); // c n/(n-1) = 2: oscillates forever
  });
});

describe('units', () => {
  test('micro-tokens and tokens', () => {
    expect(tokensToMicro(13320)).toBe(13_320_000_000n);
    expect(tokensToMicro(0.1)).toBe(100_000n);
    expect(tokensToMicro(1.0000004)).toBe(1_000_000n);
    expect(microToTokens(1_500_000n)).toBe(1.5);
    expect(microToTokens(13_320_000_001n)).toBeCloseTo(13320.000001, 6);
    expect(() => tokensToMicro(-1)).toThrow(ConfigError);
    expect(() => tokensToMicro(Number.NaN)).toThrow(ConfigError);
  });

  test('band units from the rig spectrum', () => {
    expect(bandUnitsOf({ bandMHz: 40, tokenUnitKHz: 180 })).toBe(222n);
    expect(bandUnitsOf({ bandMHz: 20, tokenUnitKHz: 180 })).toBe(111n);
    expect(bandUnitsOf({ bandMHz: 0.36, tokenUnitKHz: 180 })).toBe(2n); // no float drift at exact multiples
    const p = ledgerParamsOf({ bandMHz: 40, tokenUnitKHz: 180, supplyTokens: 13320, priceTokensPerUnitSecond: 1, epochMs: 1000 });
    expect(p).toMatchObject({ bandUnits: 222n, supplyMicro: 13_320_000_000n, priceMicroPerUnitSecond: 1_000_000n, epochMs: 1000n, holdingBps: 1000n, fairWindowEpochs: 0n });
    expect(() => ledgerParamsOf({ bandMHz: 0.1, tokenUnitKHz: 180, supplyTokens: 1, priceTokensPerUnitSecond: 1, epochMs: 1000 })).toThrow(/narrower than one token unit/);
  });
});

describe('operator keys from key files and the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ranlab-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const key = '0x' + 'ab'.repeat(32);

  test('a key file (with or without 0x, surrounding whitespace) and an environment variable', () => {
    const f = join(dir, 'op-a.key');
    writeFileSync(f, `  ${key.slice(2).toUpperCase()}\n`);
    chmodSync(f, 0o600);
    expect(loadOperatorKey('op-a', { keyFile: f })).toBe(key);
    expect(loadOperatorKey('op-a', { keyFile: 'op-a.key' }, { baseDir: dir })).toBe(key);
    expect(loadOperatorKey('op-b', { keyEnv: 'RANLAB_TEST_KEY' }, { env: { RANLAB_TEST_KEY: key } })).toBe(key);
  });

  const expectConfigError = (fn: () => unknown, ...parts: (string | RegExp)[]) => {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.exitCode).toBe(2);
    for (const p of parts) expect(e.message).toMatch(p);
    return e;
  };

  test('missing or malformed keys are ConfigErrors naming the operator and source, never the key', () => {
    expectConfigError(() => loadOperatorKey('op-a', { keyFile: join(dir, 'nope.key') }), 'operator op-a', 'nope.key', 'does not exist');
    expectConfigError(() => loadOperatorKey('op-b', { keyEnv: 'RANLAB_UNSET' }, { env: {} }), 'operator op-b', 'RANLAB_UNSET', 'not set');
    expectConfigError(() => loadOperatorKey('op-c', { generate: true }), 'operator op-c', /embedded/);
    // Near-misses of a real key: the value must not be echoed back.
    const secretish = ['cd'.repeat(31) + 'c', 'cd'.repeat(32) + 'zz', 'cd'.repeat(31) + 'xy', '0x' + 'ff'.repeat(32)];
    for (const bad of secretish) {
      const e = expectConfigError(() => loadOperatorKey('op-d', { keyEnv: 'K' }, { env: { K: bad } }), 'operator op-d', 'environment variable K');
      expect(e.message.toLowerCase()).not.toContain('cdcdcdcd');
      expect(e.message.toLowerCase()).not.toContain('ffffffff');
      expect(String(e.stack)).not.toContain('cdcdcdcd');
    }
    const f = join(dir, 'bad.key');
    writeFileSync(f, 'cd'.repeat(20), { mode: 0o600 });
    const e = expectConfigError(() => loadOperatorKey('op-e', { keyFile: f }), 'operator op-e', 'bad.key', '32-byte hex');
    expect(e.message).not.toContain('cdcdcdcd');
    expectConfigError(() => loadOperatorKey('op-f', { keyEnv: 'K' }, { env: { K: '  ' } }), 'operator op-f', 'empty');
  });
});
