import { afterAll, afterEach, beforeAll, expect } from 'vitest';
// A shared test environment for trials through real processes: one real influxd and one
// real dev chain per test file, a fresh SpectrumLedger per trial, and the ranlab CLI run as
// a separate process against a rig that points at them (the lab-chain path: keys from the
// environment, an existing InfluxDB).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { createPublicClient, http, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { parse, stringify } from 'yaml';
import { Ledger, spectrumLedgerAbi, startDevChain, type DevChain } from '../../harness/ledger/index.js';
import { queryInflux, startEmbeddedInflux, type EmbeddedInflux } from '../../harness/measure/index.js';
import { Supervisor } from '../../harness/proc/index.js';
import { killProcessesUnder } from './procs.js';

export interface TrialEnv {
  /** The test file's own folder: its influxd and chain, and every results folder under it. */
  dir: string;
  influx: EmbeddedInflux;
  chain: DevChain;
  /** A fresh results folder under `dir` (results-XXXXXX): a trial's processes name it. */
  resultsDir(): string;
  /**
   * For afterEach: stop the CLI runs still going (a test that failed midway) and kill, by pid,
   * any process naming one of this file's results folders. Resolves to what had to be killed.
   */
  cleanUpTest(): Promise<string[]>;
  /** For afterAll: the above, then influxd and the chain, then any process naming `dir`; removes `dir`. */
  stop(): Promise<void>;
}

export async function startTrialEnv(): Promise<TrialEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'ranlab-trial-'));
  const sup = new Supervisor();
  const cleanUpTest = async () => {
    await stopCliRuns();
    return killProcessesUnder(join(dir, 'results-'));
  };
  try {
    const [influx, chain] = await Promise.all([
      startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: 'ranlab' }),
      startDevChain(sup, { dataDir: join(dir, 'chain') }),
    ]);
    return {
      dir,
      influx,
      chain,
      resultsDir: () => mkdtempSync(join(dir, 'results-')),
      cleanUpTest,
      stop: async () => {
        await cleanUpTest();
        await sup.stopAll();
        await killProcessesUnder(dir);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await sup.stopAll();
    await killProcessesUnder(dir);
    throw err;
  }
}

/**
 * One TrialEnv for the calling test file: started before all tests, handed to `set`; after
 * each test, what a failed test left running is stopped (and named in the log); after all,
 * everything is stopped and the folder removed.
 */
export function useTrialEnv(set: (env: TrialEnv) => void): void {
  let env: TrialEnv | undefined;
  beforeAll(async () => {
    env = await startTrialEnv();
    set(env);
  });
  afterEach(async () => {
    const killed = (await env?.cleanUpTest()) ?? [];
    if (killed.length) console.warn(`killed what a failed test left running: ${killed.join('; ')}`);
  });
  afterAll(async () => {
    await env?.stop();
  });
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

type CliRun = ResultPromise<{ reject: false; all: true }>;
const cliRuns = new Set<CliRun>();

/** `ranlab <args>` as its own process (tracked: stopCliRuns() ends the ones still running). */
export function runCli(args: string[], extraEnv: Record<string, string> = {}): CliRun {
  const run = execa(process.execPath, ['bin/ranlab.js', ...args], { reject: false, all: true, env: { ...extraEnv, RANLAB_LOG_LEVEL: 'warn' } });
  cliRuns.add(run);
  void run.finally(() => cliRuns.delete(run));
  return run;
}

/** End every CLI run still going: SIGTERM (its teardown), SIGKILL after `graceMs`. */
export async function stopCliRuns(graceMs = 5_000): Promise<void> {
  await Promise.all(
    [...cliRuns].map(async (run) => {
      run.kill('SIGTERM');
      const timer = setTimeout(() => run.kill('SIGKILL'), graceMs);
      await run;
      clearTimeout(timer);
    }),
  );
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
