// The gnb binary's version check: real `gnb --version` output from public notes as parser
// fixtures, the stand-in answering the same flag, and a binary that is missing, not
// executable or says no version, each failing with the path named.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEntry } from '../harness/paths.js';
import { parseGnbVersion, readGnbVersion, sameRelease } from '../harness/ran/srsran/index.js';

// `gnb -v` of a 24.10 build, as pasted in macclab-stevens/Tutorials (README.md, "Install
// srsRAN_Project"): the banner main() prints before parsing, then CLI11's version text.
const GNB_V_24_10 = `
--== srsRAN gNB (commit 9d5dd742a) ==--

srsRAN 5G gNB version 24.10.0 (9d5dd742a)
`;
// A 25.10 build's `gnb --version`, quoted in a lab's public build notes (found through the
// public-code index: "external/srsRAN/build/apps/gnb/gnb --version reports ...").
const GNB_VERSION_25_10 = 'srsRAN 5G gNB version 25.10.0 (fa995e6)';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-gnbver-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('gnb --version', () => {
  it('reads real version lines: version, release, build hash', () => {
    expect(parseGnbVersion(GNB_V_24_10)).toEqual({ version: '24.10.0', release: '24.10', build: '9d5dd742a', line: 'srsRAN 5G gNB version 24.10.0 (9d5dd742a)' });
    expect(parseGnbVersion(GNB_VERSION_25_10)).toMatchObject({ version: '25.10.0', release: '25.10', build: 'fa995e6' });
    // 25.04's minor is written "04" in cmake/modules/version.cmake; a build outside git has no hash.
    expect(parseGnbVersion('srsRAN 5G gNB version 25.04.0 ()\n')).toEqual({ version: '25.04.0', release: '25.04', line: 'srsRAN 5G gNB version 25.04.0 ()' });
    // The banner alone carries no version; another app's line is not the gNB's.
    expect(parseGnbVersion('--== srsRAN gNB (commit 9d5dd742a) ==--')).toBeNull();
    expect(parseGnbVersion('srsRAN 5G DU version 25.10.0 (fa995e6)')).toBeNull();
  });

  it('compares a found version with the release a rig declares', () => {
    expect(sameRelease('25.10.0 (fa995e6)', '25.10')).toBe(true);
    expect(sameRelease('25.04.0', '25.04')).toBe(true);
    expect(sameRelease('25.04.0', '25.10')).toBe(false);
    expect(sameRelease('24.10.1', '24.10.0')).toBe(false);
    expect(sameRelease('25.10.0', 'latest')).toBe(false);
  });

  it('the stand-in answers --version and -v as the real gnb does; --report-version makes it another release', async () => {
    const v = await readGnbVersion(process.execPath, [cliEntry, 'srsgnb-standin']);
    expect(v).toMatchObject({ version: '25.10.0', release: '25.10' });
    const old = await readGnbVersion(process.execPath, [cliEntry, 'srsgnb-standin', '--report-version', '25.04.0']);
    expect(old).toMatchObject({ version: '25.04.0', release: '25.04' });
    const short = execFileSync(process.execPath, [cliEntry, 'srsgnb-standin', '-v'], { encoding: 'utf8' });
    expect(short).toMatch(/^\n--== srsRAN gNB \(commit [^)]*\) ==--\n\nsrsRAN 5G gNB version 25\.10\.0 \([^)]*\)\n$/);
  }, 20_000);

  it('a missing, non-executable or mute binary fails naming its path', async () => {
    await expect(readGnbVersion(join(tmp, 'no-such-gnb'), [])).rejects.toThrow(`gNB binary ${join(tmp, 'no-such-gnb')}: no such file`);
    const plain = join(tmp, 'plain');
    writeFileSync(plain, '#!/bin/sh\necho hi\n');
    await expect(readGnbVersion(plain, [])).rejects.toThrow(`gNB binary ${plain}: not executable`);
    const mute = join(tmp, 'mute');
    writeFileSync(mute, '#!/bin/sh\necho "usage: mute"\nexit 2\n');
    chmodSync(mute, 0o755);
    await expect(readGnbVersion(mute, [])).rejects.toThrow(`gNB binary ${mute}: --version printed no "srsRAN 5G gNB version" line (exit 2): "usage: mute"`);
    const slow = join(tmp, 'slow');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(slow, 0o755);
    await expect(readGnbVersion(slow, [], 300)).rejects.toThrow(`gNB binary ${slow}: no answer to --version within 300 ms`);
  }, 20_000);
});
