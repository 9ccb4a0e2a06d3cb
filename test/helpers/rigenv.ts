import { expect } from 'vitest';
// A shared test environment for trials through real processes: one real influxd and one
// real dev chain per test file, a fresh SpectrumLedger per trial, and the ranlab CLI run as
// a separate process against a rig that points at them (the lab-chain path: keys from the
// environment, an existing InfluxDB).
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { createPublicClient, http, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { parse, stringify } from 'yaml';
import { Ledger, spectrumLedgerAbi, startDevChain, type DevChain } from '../../harness/ledger/index.js';
import { queryInflux, startEmbeddedInflux, type EmbeddedInflux } from '../../harness/measure/index.js';
import { Supervisor } from '../../harness/proc/index.js';

export interface TrialEnv {
  dir: string;
  influx: EmbeddedInflux;
  chain: DevChain;
  stop(): Promise<void>;
}

export async function startTrialEnv(): Promise<TrialEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'ranlab-trial-'));
  const sup = new Supervisor();
  const [influx, chain] = await Promise.all([
    startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: 'ranlab' }),
    startDevChain(sup, { dataDir: join(dir, 'chain') }),
  ]);
  return { dir, influx, chain, stop: () => sup.stopAll() };
}

export interface PreparedRig {
  path: string;
  contract: Address;
  env: Record<string, string>;
}

/** A copy of a shipped rig pointed at the test's chain (a freshly deployed contract) and influxd. */
export async function prepareRig(env: TrialEnv, source: string, name: string, spectrum: Record<string, unknown> = {}): Promise<PreparedRig> {
  const rig = parse(readFileSync(source, 'utf8'));
  // The epoch length (and the other contract parameters) are fixed at deployment.
  rig.spectrum = { ...rig.spectrum, ...spectrum };
  const keys: Record<string, string> = {};
  const operators = (rig.operators as { name: string }[]).map((o) => {
    const privateKey: Hex = generatePrivateKey();
    const envName = `RANLAB_TEST_KEY_${o.name.replace(/\W/g, '_').toUpperCase()}`;
    keys[envName] = privateKey;
    return { name: o.name, account: { keyEnv: envName }, privateKey };
  });
  const deployerKey = generatePrivateKey();
  const fund = 10n ** 21n;
  await Promise.all(
    [deployerKey, ...operators.map((o) => o.privateKey)].map((k) => env.chain.setBalance(privateKeyToAccount(k).address, fund)),
  );
  const ledger = await Ledger.deploy(env.chain.rpcUrl, deployerKey, {
    operators: operators.map((o) => ({ name: o.name, privateKey: o.privateKey })),
    spectrum: rig.spectrum,
  });
  const contract = ledger.contract;
  await ledger.close();
  rig.name = name;
  rig.operators = operators.map((o) => ({ name: o.name, account: o.account }));
  rig.ledger = { rpc: env.chain.rpcUrl, contract };
  rig.influx = { url: env.influx.url, database: 'ranlab' };
  const path = join(env.dir, `${name}.yaml`);
  writeFileSync(path, stringify(rig));
  return { path, contract, env: keys };
}

export function runCli(args: string[], extraEnv: Record<string, string> = {}): ResultPromise<{ reject: false; all: true }> {
  return execa(process.execPath, ['bin/ranlab.js', ...args], { reject: false, all: true, env: { ...extraEnv, RANLAB_LOG_LEVEL: 'warn' } });
}

export async function contractBalances(env: TrialEnv, contract: Address, operators: string[]): Promise<{ balances: bigint[]; supply: bigint }> {
  const client = createPublicClient({ transport: http(env.chain.rpcUrl) });
  const addrs = (await client.readContract({ address: contract, abi: spectrumLedgerAbi, functionName: 'operators' })) as readonly Address[];
  expect(addrs.length).toBe(operators.length);
  const balances = await Promise.all(addrs.map((a) => client.readContract({ address: contract, abi: spectrumLedgerAbi, functionName: 'balanceOf', args: [a] }) as Promise<bigint>));
  const supply = (await client.readContract({ address: contract, abi: spectrumLedgerAbi, functionName: 'totalSupply' })) as bigint;
  return { balances, supply };
}

export function influxQuery(env: TrialEnv, q: string) {
  return queryInflux(env.influx.url, 'ranlab', q);
}

/**
 * The trial id of the one trial running into `results`, once at least `epochs` of its epochs
 * are in InfluxDB (bounded: fails after timeoutMs).
 */
export async function waitForEpochs(env: TrialEnv, results: string, epochs: number, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const id = existsSync(results) ? (readdirSync(results)[0] ?? '') : '';
    if (!id) continue;
    const [row] = await influxQuery(env, `SELECT count(grantMHz) AS c FROM epoch_operator WHERE trial='${id}'`).catch(() => []);
    if (row && (row.c as number) >= epochs) return id;
  }
  throw new Error(`no trial in ${results} reached ${epochs} epochs within ${timeoutMs} ms`);
}
