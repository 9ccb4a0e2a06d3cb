import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/rigenv.js';

const tmp = mkdtempSync(join(tmpdir(), 'ranlab-preflight-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Row = { component: string; check: string; result: string; detail: string };

/** rigs/peer-srsran.yaml with gnb-a's `gnb: {...}` replaced. */
function peerRigWith(name: string, gnb: string): string {
  const text = readFileSync('rigs/peer-srsran.yaml', 'utf8');
  const first = text.indexOf('gnb: { binary: bin/ranlab.js, args: [srsgnb-standin] }');
  expect(first).toBeGreaterThan(0);
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, text.slice(0, first) + `gnb: ${gnb}` + text.slice(first + 'gnb: { binary: bin/ranlab.js, args: [srsgnb-standin] }'.length));
  return file;
}

describe('ranlab preflight', () => {
  it('passes on the twin rig', async () => {
    const run = await runCli(['preflight', 'rigs/twin.yaml', '--json']);
    expect(run.exitCode, run.all).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.passed).toBe(true);
    expect(out.rows.map((r: { component: string }) => r.component)).toEqual(expect.arrayContaining(['influx', 'ledger', 'gnb-a', 'gnb-b']));
  });

  it('fails the lab rig on this machine with a row per missing USRP and modem, exit 3, within 10 s', async () => {
    const started = Date.now();
    const run = await runCli(['preflight', 'rigs/lab-b210-srsran.yaml', '--json']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.exitCode, run.all).toBe(3);
    const { passed, rows } = JSON.parse(run.stdout) as { passed: boolean; rows: { component: string; check: string; result: string; detail: string }[] };
    expect(passed).toBe(false);
    const row = (c: string) => rows.find((r) => r.component === c)!;
    // Each gNB host's agent checks its USRP there (the gNB owns it, not the controller); here
    // not even the controller's certificate for talking to the agents exists.
    for (const usrp of ['gnb-a/usrp', 'gnb-b/usrp']) {
      expect(row(usrp)).toMatchObject({ check: 'present, reference locked (on the gNB host)', result: 'fail' });
      expect(row(usrp).detail).toMatch(/controller: cannot read CA certificate/);
    }
    for (const ue of ['ue-a1', 'ue-b1']) {
      expect(row(ue)).toMatchObject({ check: 'modem answers AT', result: 'fail' });
      expect(row(ue).detail).toMatch(/\/dev\/serial\/by-id\/.*no such device/);
    }
    expect(row('ledger').detail).toMatch(/op-a.*key file/);
    expect(row('influx').result).toBe('fail');
  });

  it('checks each srsRAN agent\'s gNB binary and version on the peer rig', async () => {
    const run = await runCli(['preflight', 'rigs/peer-srsran.yaml', '--json']);
    expect(run.exitCode, run.all).toBe(0);
    const rows = (JSON.parse(run.stdout) as { rows: Row[] }).rows.filter((r) => r.check === 'gNB binary and version');
    expect(rows.map((r) => [r.component, r.result])).toEqual([
      ['gnb-a', 'pass'],
      ['gnb-b', 'pass'],
    ]);
    for (const r of rows) expect(r.detail).toMatch(/bin\/ranlab\.js srsgnb-standin reports srsRAN 5G gNB version 25\.10\.0 \(.*\), the rig's 25\.10$/);
  });

  it('fails a gNB binary of another release, naming the agent, the version found and the one expected', async () => {
    const rig = peerRigWith('old-gnb', '{ binary: bin/ranlab.js, args: [srsgnb-standin, --report-version, 25.04.0] }');
    const run = await runCli(['preflight', rig]);
    expect(run.exitCode, run.all).toBe(3);
    expect(run.stdout).toMatch(/gnb-a\s+gNB binary and version\s+FAIL\s+agent gnb-a: gNB binary \S+bin\/ranlab\.js reports version 25\.04\.0 \(.*\); the rig expects srsRAN Project 25\.10/);
    expect(run.stdout).toMatch(/gnb-b\s+gNB binary and version\s+PASS/);
  });

  it('fails a missing gNB binary, naming its path', async () => {
    const rig = peerRigWith('no-gnb', '{ binary: /opt/srsran/bin/gnb-missing }');
    const run = await runCli(['preflight', rig, '--json']);
    expect(run.exitCode, run.all).toBe(3);
    const row = (JSON.parse(run.stdout) as { rows: Row[] }).rows.find((r) => r.component === 'gnb-a' && r.check === 'gNB binary and version')!;
    expect(row).toMatchObject({ result: 'fail', detail: 'agent gnb-a: gNB binary /opt/srsran/bin/gnb-missing: no such file' });
  });

  it('prints a table by default', async () => {
    const run = await runCli(['preflight', 'rigs/lab-b210-srsran.yaml']);
    expect(run.stdout.split('\n')[0]).toMatch(/^component\s+check\s+result\s+detail/);
    expect(run.stdout).toMatch(/gnb-a\/usrp\s+present, reference locked \(on the gNB host\)\s+FAIL/);
  });
});
