import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/rigenv.js';

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

  it('prints a table by default', async () => {
    const run = await runCli(['preflight', 'rigs/lab-b210-srsran.yaml']);
    expect(run.stdout.split('\n')[0]).toMatch(/^component\s+check\s+result\s+detail/);
    expect(run.stdout).toMatch(/gnb-a\/usrp\s+present, reference locked \(on the gNB host\)\s+FAIL/);
  });
});
