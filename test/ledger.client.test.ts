// The Ledger client's life cycle on real dev chains: the embedded ledger (start, fund, deploy,
// an epoch, close), a "lab" chain attached with keys from a key file and the environment, and
// bring-up checks that fail fast with a clear reason.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ComponentError, ConfigError } from '../harness/errors.js';
import { Ledger, microToTokens, startDevChain, type DevChain, type SpectrumConfig } from '../harness/ledger/index.js';
import { Supervisor, freePort } from '../harness/proc/index.js';

const twin: SpectrumConfig = { bandMHz: 40, tokenUnitKHz: 180, supplyTokens: 13320, priceTokensPerUnitSecond: 1, epochMs: 1000 };
const supervisor = new Supervisor();
const dataDir = mkdtempSync(join(tmpdir(), 'ranlab-ledger-client-'));
const unexpected: string[] = [];
supervisor.onUnexpectedExit((name, detail) => unexpected.push(`${name}: ${detail}`));

afterAll(async () => {
  await supervisor.stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

test('embedded: an in-process chain (no port), fresh keys funded at genesis, an epoch, and no administrative method for anyone', async () => {
  const t0 = Date.now();
  const { ledger, chain } = await Ledger.embeddedWithChain({ operators: ['op-a', 'op-b'], spectrum: twin });
  const startMs = Date.now() - t0;
  try {
    await ledger.checkReachable();
    expect(ledger.describe()).toMatch(/^embedded in-process dev chain, chain 31337, SpectrumLedger 0x[0-9a-fA-F]{40}/);
    expect(ledger.describe()).not.toMatch(/[0-9a-f]{64}/i);
    expect(await ledger.totalSupply()).toBe(13_320_000_000n);

    // One epoch, as the trial runner does it.
    const t2 = Date.now();
    const e = await ledger.currentEpoch();
    await ledger.requestAll(e, new Map([['op-a', 222], ['op-b', 222]]));
    const grants = await ledger.decide(e);
    expect([...grants].map(([n, g]) => [n, g.startUnit, g.units])).toEqual([['op-a', 0, 111], ['op-b', 111, 111]]);
    const [a, b] = await Promise.all([ledger.settle(e, 'op-a', 111), ledger.settle(e, 'op-b', 60)]);
    const balances = await ledger.balances();
    const epochMs = Date.now() - t2;
    expect(a).toMatchObject({ spentMicro: 111_000_000n, holdingMicro: 0n, refundMicro: 0n });
    // op-b used 60 of 111: 51 unused, 10 % of that (5.1 tokens) is its holding charge.
    expect(b).toMatchObject({ spentMicro: 60_000_000n, holdingMicro: 5_100_000n, refundMicro: 45_900_000n });
    expect(balances).toEqual(new Map([['op-a', 6_660_000_000n - 111_000_000n + 65_100_000n], ['op-b', 6_660_000_000n - 65_100_000n + 111_000_000n]]));
    expect(microToTokens(balances.get('op-a')!)).toBe(6614.1);
    expect(await ledger.currentEpoch()).toBe(e + 1n);
    console.log(`embedded ledger: start+deploy ${startMs} ms, one 2-operator epoch (requests, decide, settles, balances) ${epochMs} ms`);

    // The provider the client trades through refuses the chain's administrative methods.
    for (const method of ['hardhat_impersonateAccount', 'hardhat_setBalance', 'evm_mine', 'hardhat_mine', 'evm_setAutomine'])
      await expect(chain.provider.request({ method, params: [] } as never)).rejects.toThrow(/administrative method: refused/);
  } finally {
    await ledger.close();
  }
  await ledger.close(); // idempotent
  const err = await rejection(ledger.balances());
  expect(err).toBeInstanceOf(ComponentError);
  expect(err.message).toMatch(/closed/);
});

test('embedded: bad operator lists and spectrum figures are ConfigErrors before anything starts', async () => {
  await expect(Ledger.embedded(supervisor, { operators: ['op-a'], dataDir, spectrum: twin })).rejects.toThrow(ConfigError);
  await expect(Ledger.embedded(supervisor, { operators: ['op-a', 'op-b'], dataDir, spectrum: { ...twin, initialBalances: [0.5] } })).rejects.toThrow(/1 shares for 2 operators/);
  await expect(Ledger.embedded(supervisor, { operators: ['op-a', 'op-a'], dataDir, spectrum: twin })).rejects.toThrow(/listed twice/);
  await expect(Ledger.embedded(supervisor, { operators: ['op-a', 'op-b'], dataDir, spectrum: { ...twin, bandMHz: 0.1 } })).rejects.toThrow(ConfigError);
  expect(supervisor.get('ledger')).toBeUndefined();
});

describe('a lab chain: attach with keys from a key file and the environment', () => {
  let chain: DevChain;
  let contract: `0x${string}`;
  const keyA = generatePrivateKey();
  const keyB = generatePrivateKey();
  const keyFile = join(dataDir, 'op-a.key');
  const env = { RANLAB_KEY_OP_B: keyB };
  const operators = [
    { name: 'op-a', account: { keyFile } },
    { name: 'op-b', account: { keyEnv: 'RANLAB_KEY_OP_B' } },
  ];

  beforeAll(async () => {
    // The "lab" chain: a second dev chain standing in for the consortium's, with keys we hold.
    chain = await startDevChain(supervisor, { dataDir: join(dataDir, 'lab'), name: 'lab-chain' });
    writeFileSync(keyFile, keyA + '\n');
    chmodSync(keyFile, 0o600);
    const deployerKey = generatePrivateKey();
    for (const k of [deployerKey, keyA, keyB]) await chain.setBalance(privateKeyToAccount(k).address, 10n ** 20n);
    const deployed = await Ledger.deploy(chain.rpcUrl, deployerKey, { operators, keySources: { env }, spectrum: twin });
    contract = deployed.contract;
    await deployed.close(); // does not stop a chain it did not start
  });

  test('attach, check, run an epoch, and leave the lab chain running on close', async () => {
    const ledger = Ledger.attach({ rpcUrl: chain.rpcUrl, contract, operators, keySources: { env } });
    expect(ledger.addresses().get('op-a')).toBe(privateKeyToAccount(keyA).address);
    await ledger.checkReachable();
    await ledger.requestAll(1, new Map([['op-a', 222], ['op-b', 20]]));
    const grants = await ledger.decide(1);
    expect([...grants].map(([n, g]) => [n, g.units])).toEqual([['op-a', 202], ['op-b', 20]]);
    expect((await ledger.settle(1, 'op-a', 202)).spentMicro).toBe(202_000_000n);
    expect((await ledger.settle(1, 'op-b', 20)).spentMicro).toBe(20_000_000n);
    await ledger.close();
    expect(supervisor.get('lab-chain')).toBeDefined();
  });

  test('the bring-up check names what is wrong: no contract, unregistered operator, no gas funds', async () => {
    const noCode = Ledger.attach({ rpcUrl: chain.rpcUrl, contract: privateKeyToAccount(generatePrivateKey()).address, operators, keySources: { env } });
    const e1 = await rejection(noCode.checkReachable());
    expect(e1).toBeInstanceOf(ComponentError);
    expect((e1 as ComponentError).code).toBe('LEDGER_NO_CONTRACT');
    expect(e1.message).toMatch(/^ledger: no contract code at 0x/);

    const strangerKey = generatePrivateKey();
    const stranger = Ledger.attach({ rpcUrl: chain.rpcUrl, contract, operators: [operators[0], { name: 'op-z', privateKey: strangerKey }] });
    const e2 = await rejection(stranger.checkReachable());
    expect((e2 as ComponentError).code).toBe('LEDGER_NOT_OPERATOR');
    expect(e2.message).toMatch(/operator op-z \(0x[0-9a-fA-F]{40}\) is not registered/);
    expect(e2.message).not.toContain(strangerKey.slice(2));

    const addrB = privateKeyToAccount(keyB).address;
    await chain.setBalance(addrB, 0n);
    try {
      const poor = Ledger.attach({ rpcUrl: chain.rpcUrl, contract, operators, keySources: { env } });
      const e3 = await rejection(poor.checkReachable());
      expect((e3 as ComponentError).code).toBe('LEDGER_NO_GAS');
      expect(e3.message).toMatch(/operator op-b .* cannot pay for gas: balance 0 wei/);
    } finally {
      await chain.setBalance(addrB, 10n ** 20n);
    }
  });

  test('missing or malformed keys are ConfigErrors naming operator and source, without the key', () => {
    expect(() => Ledger.attach({ rpcUrl: chain.rpcUrl, contract, operators, keySources: { env: {} } })).toThrow(
      /operator op-b: environment variable RANLAB_KEY_OP_B is not set/,
    );
    const almost = keyB.slice(0, -1);
    let err: unknown;
    try {
      Ledger.attach({ rpcUrl: chain.rpcUrl, contract, operators, keySources: { env: { RANLAB_KEY_OP_B: almost } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/operator op-b: environment variable RANLAB_KEY_OP_B does not hold a 32-byte hex private key/);
    expect((err as Error).message).not.toContain(almost.slice(2, 40));
    expect(() => Ledger.attach({ rpcUrl: chain.rpcUrl, contract, operators: [{ name: 'op-a', account: { generate: true } }, operators[1]], keySources: { env } })).toThrow(
      /operator op-a: generated keys .* only exist on the embedded ledger/,
    );
    expect(() => Ledger.attach({ rpcUrl: chain.rpcUrl, contract, operators: [{ name: 'op-a', privateKey: '0x1234' }, operators[1]], keySources: { env } })).toThrow(
      /operator op-a: the given private key does not hold a 32-byte hex private key/,
    );
  });
});

describe('an unreachable ledger fails fast', () => {
  const key = generatePrivateKey();
  const ops = [
    { name: 'op-a', privateKey: key },
    { name: 'op-b', privateKey: generatePrivateKey() },
  ];
  const contract = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;

  test('nothing listening: a ComponentError within two seconds', async () => {
    const port = await freePort();
    const ledger = Ledger.attach({ rpcUrl: `http://127.0.0.1:${port}`, contract, operators: ops });
    const t = Date.now();
    const err = await rejection(ledger.checkReachable());
    expect(Date.now() - t).toBeLessThan(2000);
    expect(err).toBeInstanceOf(ComponentError);
    expect((err as ComponentError).code).toBe('LEDGER_UNREACHABLE');
    expect(err.message).toMatch(new RegExp(`^ledger: no answer from http://127.0.0.1:${port}`));
    // A transaction against it fails with operator and epoch named, and never the key.
    const txErr = await rejection(ledger.request(3, 'op-a', 10));
    expect(txErr).toBeInstanceOf(ComponentError);
    expect(txErr.message).toMatch(/request by op-a for epoch 3 failed/);
    expect(txErr.message.toLowerCase()).not.toContain(key.slice(2).toLowerCase());
  });

  test('a server that accepts and never answers: a ComponentError by the deadline', async () => {
    const sockets: Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const ledger = Ledger.attach({ rpcUrl: `http://127.0.0.1:${port}`, contract, operators: ops });
      const t = Date.now();
      const err = await rejection(ledger.checkReachable(1500));
      const took = Date.now() - t;
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(3000);
      expect(err).toBeInstanceOf(ComponentError);
      expect(err.message).toMatch(/^ledger: /);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  test('unknown operators and bad arguments are ConfigErrors', async () => {
    const ledger = Ledger.attach({ rpcUrl: 'http://127.0.0.1:9', contract, operators: ops });
    await expect(ledger.request(1, 'op-q', 1)).rejects.toThrow(/unknown operator op-q/);
    await expect(ledger.request(-1, 'op-a', 1)).rejects.toThrow(ConfigError);
    await expect(ledger.settle(1, 'op-a', 1.5)).rejects.toThrow(/usedUnits must be a non-negative integer/);
    expect(() => Ledger.attach({ rpcUrl: 'ftp://x', contract, operators: ops })).toThrow(ConfigError);
    expect(() => Ledger.attach({ rpcUrl: 'http://127.0.0.1:9', contract: '0x12' as `0x${string}`, operators: ops })).toThrow(/ledger.contract/);
  });
});
