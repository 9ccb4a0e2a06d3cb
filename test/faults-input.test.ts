// Issue 8 item 7: bad input is refused by `validate` and by `trial` before anything starts,
// with the file, line and path; exit code 2 within a stated bound.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, killAllUnder, procsUnder } from './helpers/faults.js';

const root = mkdtempSync(join(tmpdir(), 'ranlab-faults-input-'));
afterAll(() => killAllUnder(root));

const twin = () => parse(readFileSync('rigs/twin.yaml', 'utf8')) as Record<string, any>;

function write(name: string, rig: unknown): string {
  const p = join(root, name);
  writeFileSync(p, typeof rig === 'string' ? rig : stringify(rig));
  return p;
}

/** A lab-chain rig whose operators' keys come from these sources. */
function labRig(name: string, accounts: Record<string, unknown>[]): string {
  const r = twin();
  r.operators = r.operators.map((o: { name: string }, i: number) => ({ name: o.name, account: accounts[i] }));
  r.ledger = { rpc: 'http://127.0.0.1:9', contract: '0x' + '1'.repeat(40) };
  return write(name, r);
}

async function refused(args: string[], bound = 8000) {
  const t = Date.now();
  const r = await cli(args);
  const ms = Date.now() - t;
  expect(ms, `${args.join(' ')} took ${ms} ms`).toBeLessThan(bound);
  return { ...r, ms };
}

describe('rig file limits and numeric bounds (validate)', () => {
  it('a YAML alias bomb: exit 2 naming the file, not expanded', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const file = write('bomb.yaml', lines.join('\n') + '\n');
    const r = await refused(['validate', file]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/bomb\.yaml: .*alias/i);
    console.info(`alias bomb refused in ${r.ms} ms`);
  });

  it('supplyTokens: 1.23e38 is refused with its line and path', async () => {
    const rig = twin();
    rig.spectrum.supplyTokens = 1.23e38;
    const r = await refused(['validate', write('supply.yaml', rig)]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/supply\.yaml: line \d+: spectrum\.supplyTokens: 1\.23e\+38 is beyond the largest token amount/);
  });

  it('more operators than the contract takes (MAX_OPERATORS, read from the contract) is refused', async () => {
    const sol = readFileSync('harness/ledger/contracts/SpectrumLedger.sol', 'utf8');
    const max = Number(/MAX_OPERATORS = (\d+)/.exec(sol)![1]);
    const rig = twin();
    rig.operators = Array.from({ length: 100 }, (_, i) => ({ name: `op-${i}`, account: { generate: true } }));
    rig.basestations = rig.operators.map((o: { name: string }, i: number) => ({ ...rig.basestations[0], id: `gnb-${i}`, operator: o.name, cells: [{ ...rig.basestations[0].cells[0], id: `c-${i}` }] }));
    rig.ues = [];
    const r = await refused(['validate', write('many.yaml', rig)]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toContain(`operators: 100 operators; the ledger contract takes at most ${max}`);
  });

  it('a price below one micro-token and a rig epoch shorter than the KPM period are refused', async () => {
    const rig = twin();
    rig.spectrum.priceTokensPerUnitSecond = 1e-9;
    rig.spectrum.epochMs = 100;
    rig.trial = { kpmPeriodMs: 200 };
    const r = await refused(['validate', write('small.yaml', rig)]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/spectrum\.priceTokensPerUnitSecond: 1e-9 is below one micro-token/);
    expect(r.stderr).toMatch(/spectrum\.epochMs: 100 ms is shorter than trial\.kpmPeriodMs/);
  });

  it('a rig file that is a FIFO is refused without blocking', async () => {
    const fifo = join(root, 'rig.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await refused(['validate', fifo], 5000);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/rig\.fifo: not a regular file \(a FIFO\)/);
  });
});

describe('key sources', () => {
  const keyDir = join(root, 'keys');
  mkdirSync(keyDir, { recursive: true });
  const key = (name: string, mode: number) => {
    const p = join(keyDir, name);
    writeFileSync(p, 'ab'.repeat(32) + '\n');
    chmodSync(p, mode);
    return p;
  };

  it('a FIFO as key file: validate and trial refuse it at once (exit 2) without opening it; nothing started', async () => {
    const fifo = join(keyDir, 'op-a.fifo');
    execFileSync('mkfifo', [fifo]);
    const rig = labRig('fifo-key.yaml', [{ keyFile: fifo }, { keyFile: key('b.key', 0o600) }]);
    const v = await refused(['validate', rig], 5000);
    expect(v.exitCode, v.all).toBe(2);
    expect(v.stderr).toMatch(/line \d+: operators\[0\]\.account\.keyFile: key file .*op-a\.fifo is not a regular file \(a FIFO\)/);
    const state = join(root, 'state-fifo');
    const t = await refused(['trial', rig, '--state', state, '--results', join(root, 'res-fifo')], 5000);
    expect(t.exitCode, t.all).toBe(2);
    expect(existsSync(join(state, 'influx'))).toBe(false);
    console.info(`FIFO key: validate ${v.ms} ms, trial ${t.ms} ms, exit 2, no influxd started`);
  });

  it('missing, world-readable and relative key files', async () => {
    const missing = await refused(['validate', labRig('missing.yaml', [{ keyFile: join(keyDir, 'nope.key') }, { keyFile: key('b2.key', 0o600) }])]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/operators\[0\]\.account\.keyFile: key file .*nope\.key does not exist/);
    const open = await refused(['validate', labRig('open.yaml', [{ keyFile: key('a3.key', 0o644) }, { keyFile: key('b3.key', 0o600) }])]);
    expect(open.exitCode).toBe(2);
    expect(open.stderr).toMatch(/a3\.key is readable or writable by every user \(mode 644\)/);
    // Relative to the rig file's folder (root), not to the working directory (the package).
    key('a4.key', 0o600);
    key('b4.key', 0o600);
    const rel = await refused(['validate', labRig('relative.yaml', [{ keyFile: 'keys/a4.key' }, { keyFile: 'keys/b4.key' }])]);
    expect(rel.exitCode, rel.all).toBe(0);
  });

  it('a keyEnv variable that is not set fails the trial before anything starts', async () => {
    const rig = labRig('env.yaml', [{ keyEnv: 'RANLAB_NOT_SET_A' }, { keyEnv: 'RANLAB_NOT_SET_B' }]);
    const state = join(root, 'state-env');
    const t = await refused(['trial', rig, '--state', state, '--results', join(root, 'res-env')]);
    expect(t.exitCode, t.all).toBe(2);
    expect(t.stderr).toMatch(/operator op-a: environment variable RANLAB_NOT_SET_A is not set/);
    expect(existsSync(join(state, 'influx'))).toBe(false);
  });
});

describe('trial flags', () => {
  it('--results that cannot be used fails at once, before anything starts', async () => {
    const file = write('not-a-folder', 'x');
    const state = join(root, 'state-results');
    const r = await refused(['trial', 'rigs/twin.yaml', '--results', file, '--state', state]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/--results .*not-a-folder: cannot write trial results there/);
    expect(existsSync(join(state, 'influx'))).toBe(false);
    expect(procsUnder(state)).toEqual([]);
  });

  it('--epoch-ms below the rig\'s kpmPeriodMs is refused with a message', async () => {
    const state = join(root, 'state-epoch');
    const r = await refused(['trial', 'rigs/twin.yaml', '--epoch-ms', '100', '--results', join(root, 'res-epoch'), '--state', state]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/epoch length 100 ms is shorter than the KPM period \(trial\.kpmPeriodMs: 200 ms\)/);
    expect(existsSync(join(state, 'influx'))).toBe(false);
  });
});
