// Suite files and the per-rig lock, in one process: a bad suite names the file and the path
// inside it; a second holder of the same rig's lock waits, then is refused naming the holder.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite, RigBusyError, RigLock } from '../harness/nightly/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ranlab-suite-'));

describe('suite files', () => {
  it('rig paths are relative to the suite file; kind defaults to spectrum', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'name: n1\nruns:\n  - rig: rigs/twin.yaml\n    policy: random\n    acceptance: {spectrum: {minFairness: 0.5}}\n');
    const s = loadSuite(file);
    expect(s.runs[0]).toMatchObject({ rig: join(dir, 'rigs', 'twin.yaml'), kind: 'spectrum', policy: 'random', acceptance: { spectrum: { minFairness: 0.5 } } });
    expect(s.lockTimeoutS).toBe(600);
  });

  it('a bad suite is a configuration error naming the file and the path inside it', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: n1\nruns:\n  - rig: a.yaml\n    epochs: 0\n  - rig: b.yaml\n    acceptance: {spectrum: {minFairnes: 1}}\n');
    expect(() => loadSuite(file)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/bad\.yaml: runs\[0\]\.epochs: .*; runs\[1\]\.acceptance\.spectrum: .*minFairnes/) }));
    expect(() => loadSuite(join(dir, 'absent.yaml'))).toThrow(/absent\.yaml: cannot read suite file/);
  });
});

describe('rig lock', () => {
  it('a second holder waits, then is refused naming the holder; released, it is free again', async () => {
    const locks = join(dir, 'locks');
    const first = await RigLock.acquire(locks, 'rig1', { timeoutMs: 0, command: 'first' });
    expect(first.tookOverFrom).toBeNull();
    const record = JSON.parse(readFileSync(first.path, 'utf8')) as { pid: number; command: string; startedAt: string };
    expect(record).toMatchObject({ pid: process.pid, command: 'first' });
    const waits: unknown[] = [];
    const t0 = Date.now();
    const err = await RigLock.acquire(locks, 'rig1', { timeoutMs: 400, pollMs: 50, command: 'second', onWait: (h) => waits.push(h) }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(err).toBeInstanceOf(RigBusyError);
    expect((err as RigBusyError).exitCode).toBe(3);
    expect((err as RigBusyError).message).toMatch(new RegExp(`^rig1: rig in use by pid ${process.pid} \\(first\\), started ${record.startedAt}; waited [0-9]\\.\\d s$`));
    expect(waits).toHaveLength(1);
    // another rig is not held
    const other = await RigLock.acquire(locks, 'rig2', { timeoutMs: 0, command: 'other' });
    await other.release();
    await first.release();
    const again = await RigLock.acquire(locks, 'rig1', { timeoutMs: 0, command: 'third' });
    expect(again.tookOverFrom).toBeNull(); // released properly: nothing stale to take over
    await again.release();
  });
});

describe('shipped suites', () => {
  it('suites/nightly-twin.yaml loads and points at the shipped twin rig', () => {
    const s = loadSuite('suites/nightly-twin.yaml');
    expect(s.runs.map((r) => [r.name, r.kind, r.policy])).toEqual([
      ['spectrum-ledger', 'spectrum', 'ledger'],
      ['spectrum-random', 'spectrum', 'random'],
    ]);
    for (const r of s.runs) expect(readFileSync(r.rig, 'utf8')).toContain('name: twin');
  });
});

describe('a run that cannot start', () => {
  it('is an error case in the JUnit file, the suite goes on, and the exit code is 2', async () => {
    const { execa } = await import('execa');
    const file = join(dir, 'missing.yaml');
    writeFileSync(file, 'name: missing\nruns:\n  - name: gone\n    rig: no-such-rig.yaml\n  - name: bad\n    rig: bad-rig.yaml\n');
    writeFileSync(join(dir, 'bad-rig.yaml'), 'name: x\n');
    const junit = join(dir, 'missing.xml');
    const run = await execa(process.execPath, ['bin/ranlab.js', 'nightly', file, '--results', join(dir, 'results'), '--junit', junit, '--lock-dir', join(dir, 'locks2')], { reject: false, all: true });
    expect(run.exitCode, run.all).toBe(2);
    expect(run.stdout).toMatch(/nightly missing: 0\/2 runs passed, exit 2/);
    const lint = await execa('xmllint', ['--noout', '--schema', join(import.meta.dirname, 'fixtures', 'junit', 'junit-10.xsd'), junit], { reject: false, all: true });
    expect(lint.exitCode, lint.all).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="gone.run" name="start">\s*<error message="[^"]*no-such-rig.yaml: cannot read rig file \(no such file\)" type="RIG_UNREADABLE"/);
    expect(xml).toMatch(/<testcase classname="bad.run" name="start">\s*<error message="[^"]*bad-rig.yaml: [^"]*" type="RIG_INVALID"/);
  });
});
