// The twin's shared air: transmissions rewritten in place are read back whole, a shorter
// record after a longer one leaves no tail, a restarted writer takes over an earlier writer's
// file, and a torn record (half old, half new, as a reader can catch a write in progress) is
// skipped rather than read as a mix.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Air, type AirTransmission } from '../harness/twin/air.js';

const dir = mkdtempSync(join(tmpdir(), 'ranlab-air-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tx = (cellId: string, lowMHz: number, operator = 'op-a'): AirTransmission => ({
  cellId,
  operator,
  on: true,
  lowMHz,
  highMHz: lowMHz + 10,
  psdDbmPerPrb: 7.5,
  updatedNs: '1700000000000000000',
});

describe('Air transmissions', () => {
  it('reads back the latest record of each cell, whatever the lengths written before', () => {
    const air = new Air(join(dir, 'a'));
    air.publishTransmission(tx('c1', 5150, 'an-operator-with-a-long-name'));
    air.publishTransmission(tx('c1', 5160.125));
    air.publishTransmission(tx('c2', 5170));
    const got = new Air(join(dir, 'a')).transmissions().sort((x, y) => x.cellId.localeCompare(y.cellId));
    expect(got).toEqual([tx('c1', 5160.125), tx('c2', 5170)]);
    air.close();
  });

  it('shows each rewrite to another process at once', () => {
    const air = new Air(join(dir, 'e'));
    const file = join(dir, 'e', 'tx', 'c1.json');
    const seenByAnother = () => JSON.parse(execFileSync(process.execPath, ['-e', 'process.stdout.write(require("fs").readFileSync(process.argv[1]))', file], { encoding: 'utf8' })) as AirTransmission;
    air.publishTransmission(tx('c1', 5150));
    expect(seenByAnother().lowMHz).toBe(5150);
    // Past its first few writes a file is written through a shared mapping (air.ts).
    for (let i = 1; i <= 12; i++) air.publishTransmission(tx('c1', 5150 + i));
    expect(seenByAnother().lowMHz).toBe(5162);
    air.publishTransmission(tx('c1', 5162.5));
    expect(seenByAnother().lowMHz).toBe(5162.5);
    air.close();
  });

  it('takes over an earlier writer\'s file, however long its record was', () => {
    mkdirSync(join(dir, 'c', 'tx'), { recursive: true });
    const file = join(dir, 'c', 'tx', 'c1.json');
    // What a writer with a very long record left behind (longer than a mapped file's 1 KiB).
    writeFileSync(file, JSON.stringify(tx('c1', 5100, 'o'.repeat(3000))));
    const air = new Air(join(dir, 'c'));
    air.publishTransmission(tx('c1', 5150));
    expect(new Air(join(dir, 'c')).transmissions()).toEqual([tx('c1', 5150)]);
    air.close();
    // A restarted writer over a file mapped by the one before: rewritten in place, never shortened.
    const size = statSync(file).size;
    const again = new Air(join(dir, 'c'));
    again.publishTransmission(tx('c1', 5160));
    expect(new Air(join(dir, 'c')).transmissions()).toEqual([tx('c1', 5160)]);
    expect(statSync(file).size).toBe(size);
    again.close();
  });

  it('keeps a record longer than a mapped file, then a short one after it without a tail', () => {
    const air = new Air(join(dir, 'd'));
    // Enough writes for the file to be mapped first (air.ts).
    for (let i = 0; i < 12; i++) air.publishTransmission(tx('c1', 5150 + i));
    expect(new Air(join(dir, 'd')).transmissions()).toEqual([tx('c1', 5161)]);
    const long = tx('c1', 5155, 'p'.repeat(2000));
    air.publishTransmission(long);
    expect(new Air(join(dir, 'd')).transmissions()).toEqual([long]);
    air.publishTransmission(tx('c1', 5160));
    expect(new Air(join(dir, 'd')).transmissions()).toEqual([tx('c1', 5160)]);
    air.close();
  });

  it('skips a torn record instead of reading half old, half new values', () => {
    const air = new Air(join(dir, 'b'));
    const file = join(dir, 'b', 'tx', 'c1.json');
    air.publishTransmission(tx('c1', 5150.25));
    const before = readFileSync(file, 'utf8');
    air.publishTransmission(tx('c1', 5160.75));
    const after = readFileSync(file, 'utf8');
    air.close();
    // Same length, valid JSON either way: the new lowMHz with the old highMHz.
    const cut = after.indexOf('highMHz');
    const torn = after.slice(0, cut) + before.slice(cut);
    expect(() => JSON.parse(torn) as unknown).not.toThrow();
    writeFileSync(file, torn);
    expect(new Air(join(dir, 'b')).transmissions()).toEqual([]);
    writeFileSync(file, after);
    expect(new Air(join(dir, 'b')).transmissions()).toEqual([tx('c1', 5160.75)]);
  });
});
