// Small pieces of issue 8 that need no running rig: exit-code precedence (DESIGN.md: 130,
// then 3, then 2, then 1) and the per-destination spool that adopts what gone sinks left.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AcceptanceError, ComponentError, ConfigError, InterruptedError } from '../harness/errors.js';
import { destinationKey, destinationSpool, listDestinations } from '../harness/measure/index.js';
import { trialExitCode } from '../harness/trial/exitcode.js';

describe('exit code precedence', () => {
  const none = { problems: [] };
  const some = { problems: ['influx: 12 points not written'] };
  it.each([
    ['nothing wrong', null, none, 0],
    ['acceptance only', new AcceptanceError('unfair'), none, 1],
    ['bad input only', new ConfigError('bad'), none, 2],
    ['teardown problem only', null, some, 3],
    ['bad input and a teardown problem', new ConfigError('bad'), some, 3],
    ['acceptance and a teardown problem', new AcceptanceError('unfair'), some, 3],
    ['a component failed', new ComponentError('gnb-a', 'gone'), none, 3],
    ['interrupted with a teardown problem', new InterruptedError('SIGINT'), some, 130],
  ] as const)('%s -> %i', (_, err, td, code) => {
    expect(trialExitCode(err, td)).toBe(code);
  });
});

describe('spool per destination', () => {
  const seg = (dir: string, n: number, lines: string[]) => writeFileSync(join(dir, `${String(n).padStart(12, '0')}.lp`), lines.join('\n') + '\n');

  it('keys by URL (never credentials) and database; the embedded store by its folder', () => {
    const a = destinationKey({ url: 'http://user:secret@db.lab:8086/', database: 'ranlab', embedded: false });
    expect(a).toMatch(/^db\.lab_8086-ranlab-[0-9a-f]{10}$/);
    expect(a).toBe(destinationKey({ url: 'http://db.lab:8086', database: 'ranlab', embedded: false }));
    expect(a).not.toBe(destinationKey({ url: 'http://db.lab:8086', database: 'other', embedded: false }));
    expect(destinationKey({ url: 'http://127.0.0.1:1234', database: 'ranlab', embedded: true })).toBe(destinationKey({ url: 'http://127.0.0.1:9999', database: 'ranlab', embedded: true }));
  });

  it('a new sink adopts the folders of gone sinks (dead pid, or no lock), keeps refused lines aside, and leaves a live one alone', () => {
    const state = mkdtempSync(join(tmpdir(), 'ranlab-spool-dest-'));
    const dest = { url: 'http://user:pw@127.0.0.1:8086', database: 'ranlab', embedded: false };
    const first = destinationSpool(state, dest, 'trial-1');
    seg(first.dir, 1, ['m v=1 1', 'm v=2 2']);
    seg(first.dir, 2, ['m v=3 3']);
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(first.dir, '.lock'), String(deadPid));
    writeFileSync(join(first.dir, 'rejected.lp'), '# refused\nbad line\n');
    const crashed = join(first.dir, '..', 'trial-2');
    mkdirSync(crashed);
    seg(crashed, 7, ['m v=4 4']);
    // An adopter that died half way through its claim.
    const halfClaimed = join(first.dir, '..', `.adopt-${deadPid}-trial-0`);
    mkdirSync(halfClaimed);
    seg(halfClaimed, 1, ['m v=0 0']);
    const live = join(first.dir, '..', 'trial-live');
    mkdirSync(live);
    seg(live, 1, ['m v=5 5']);
    writeFileSync(join(live, '.lock'), String(process.ppid));

    const next = destinationSpool(state, dest, 'trial-3');
    expect(next.adopted).toBe(4);
    const mine = readdirSync(next.dir).filter((n) => n.endsWith('.lp') && n !== 'rejected.lp').sort();
    const lines = mine.flatMap((n) => readFileSync(join(next.dir, n), 'utf8').trim().split('\n'));
    expect(lines.sort()).toEqual(['m v=0 0', 'm v=1 1', 'm v=2 2', 'm v=3 3', 'm v=4 4']);
    expect(existsSync(halfClaimed)).toBe(false);
    expect(readFileSync(join(next.dir, 'rejected.lp'), 'utf8')).toContain('bad line');
    expect(existsSync(first.dir)).toBe(false);
    expect(existsSync(crashed)).toBe(false);
    expect(readdirSync(live)).toContain('000000000001.lp');
    // destination.json records where the points go, without the credentials.
    const [d] = listDestinations(state);
    expect(d).toMatchObject({ url: 'http://127.0.0.1:8086', database: 'ranlab', embedded: false });
    expect(readFileSync(join(d!.dir, 'destination.json'), 'utf8')).not.toContain('pw');
  });
});
