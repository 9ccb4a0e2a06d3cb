// Authentication between the controller and its agents, through real processes: a twin
// agent (`ranlab twin-gnb`) serving mutual TLS with certificates made as a trial makes them.
//   - who refused whom, and why, for every wrong certificate;
//   - another user of the host (`nobody`) can neither control the agent nor read the certificates;
//   - a cell changed behind the controller's back is noticed from KPM: the stream fails, or the
//     controller restores the cell, as the rig says; and a whole trial does the same.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { controllerFiles, explainTlsFailure, makeTrialCerts, readTlsFiles, type TlsPems, type TrialCerts } from '../harness/certs/index.js';
import { ComponentError } from '../harness/errors.js';
import { cliEntry, packageRoot } from '../harness/paths.js';
import { loadE2Proto } from '../harness/ran/e2.js';
import { createBaseStation, type BaseStation, type KpmIndication } from '../harness/ran/index.js';
import { prepareRig, runCli, startTrialEnv, waitForEpochs, type TrialEnv } from './helpers/rigenv.js';

let tmp: string;
let certsDir: string;
let certs: TrialCerts;
let other: TrialCerts;
let ctl: TlsPems;
let agent: { child: ChildProcessWithoutNullStreams; address: string; exited: Promise<unknown> };
const drivers: BaseStation[] = [];

function driver(id: string, tls: TlsPems, extra: Parameters<typeof createBaseStation>[2] = {}): BaseStation {
  const d = createBaseStation(id, agent.address, { tls, ...extra });
  drivers.push(d);
  return d;
}

async function until<T>(fn: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-auth-'));
  // The results folder is open to everyone here on purpose: the certificates must protect themselves.
  chmodSync(tmp, 0o755);
  mkdirSync(join(tmp, 'results', 'trial-1'), { recursive: true, mode: 0o755 });
  certsDir = join(tmp, 'results', 'trial-1', 'certs');
  certs = await makeTrialCerts(certsDir, ['gnb-a']);
  other = await makeTrialCerts(join(tmp, 'other-lab'), ['gnb-a']);
  ctl = readTlsFiles(certs.controller, 'controller');
  const cfg = {
    nodeId: 'gnb-a',
    operator: 'op-a',
    listen: '127.0.0.1:0',
    tls: certs.agents.get('gnb-a'),
    airDir: join(tmp, 'air'),
    cells: [{ id: 'gnb-a-c1', rat: 'NR', band: 'n46', carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15, pci: 101, txPowerDbm: 30 }],
    ues: [{ id: 'ue-a1', cellId: 'gnb-a-c1', pathLossDb: 95, interferenceLossDb: 100 }],
  };
  writeFileSync(join(tmp, 'gnb-a.json'), JSON.stringify(cfg));
  const child = spawn(process.execPath, [cliEntry, 'twin-gnb', '--config', join(tmp, 'gnb-a.json')], { env: { ...process.env, RANLAB_LOG_LEVEL: 'warn' } });
  const exited = new Promise((r) => child.on('exit', r));
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('twin agent not ready in 15 s')), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  agent = { child, address, exited };
});
afterEach(() => {
  for (const d of drivers.splice(0)) d.close();
});
afterAll(async () => {
  agent?.child.kill('SIGTERM');
  await agent?.exited;
  rmSync(tmp, { recursive: true, force: true });
});

describe('mutual TLS: each side refuses the wrong peer and says why', () => {
  it("the trial's certificates: a 0700 folder, 0600 files, the agent's names its id, roles kept apart", async () => {
    expect(statSync(certsDir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(certsDir)) expect(statSync(join(certsDir, f)).mode & 0o777, f).toBe(0o600);
    expect(readdirSync(certsDir).sort()).toEqual(['agent-gnb-a-key.pem', 'agent-gnb-a.pem', 'ca.pem', 'controller-key.pem', 'controller.pem']);
    const s = await driver('gnb-a', ctl).setup();
    expect(s.nodeId).toBe('gnb-a');
  });

  it('the agent refuses a client without a certificate, naming that', async () => {
    const Raw = loadE2Proto().client;
    const raw = new Raw(agent.address, grpc.credentials.createSsl(ctl.ca, null, null), { 'grpc.ssl_target_name_override': 'gnb-a' });
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      (raw as unknown as { Setup: (r: object, o: object, cb: (e: grpc.ServiceError) => void) => void }).Setup({}, { deadline: Date.now() + 3000 }, resolve),
    );
    raw.close();
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(explainTlsFailure(err.details)).toBe('the agent refused the controller: no client certificate was presented (the agent requires one from the lab CA)');
  });

  it.each<[string, () => TlsPems, string, RegExp]>([
    ["a controller certificate from another lab's CA", () => ({ ...readTlsFiles(other.controller, 'controller'), ca: ctl.ca }), 'gnb-a', /the agent refused the controller's certificate/],
    ["an agent's certificate used as a client certificate", () => ({ ...readTlsFiles(certs.agents.get('gnb-a')!, 'gnb-a'), ca: ctl.ca }), 'gnb-a', /the agent refused the controller's certificate/],
    ['an agent whose certificate names another base station', () => ctl, 'gnb-b', /controller refused the agent: its certificate names "gnb-a", the rig expects "gnb-b"/],
    ["an agent whose certificate is not from the rig's CA", () => ({ ...ctl, ca: readTlsFiles(other.controller, 'controller').ca }), 'gnb-a', /controller refused the agent: its certificate is not signed by the lab CA in the rig/],
  ])('%s: TLS_REFUSED, saying which side refused', async (_what, tls, id, message) => {
    const err = (await driver(id, tls()).setup().catch((e: unknown) => e)) as ComponentError;
    expect(err).toBeInstanceOf(ComponentError);
    expect(err).toMatchObject({ code: 'TLS_REFUSED', component: id, exitCode: 3 });
    expect(err.message).toMatch(new RegExp(`^${id}: TLS with the agent at 127\\.0\\.0\\.1:\\d+ failed: `));
    expect(err.message).toMatch(message);
  });
});

describe('another user of the host', () => {
  // Needs root to switch to `nobody` (as CI and this machine run); elsewhere the test cannot act out the threat.
  it.skipIf(process.getuid?.() !== 0)('cannot control the twin agent, take its subscriptions, or read the certificates', async () => {
    const bs = driver('gnb-a', ctl, { expect: { nodeId: 'gnb-a', operator: 'op-a' } });
    await bs.setup();
    await bs.control({ kind: 'prbQuota', cellId: 'gnb-a-c1', startPrb: 0, nPrb: 100 });
    await bs.control({ kind: 'cellState', cellId: 'gnb-a-c1', on: true });
    const run = await execa('runuser', ['-u', 'nobody', '--', process.execPath, join(packageRoot, 'test/helpers/attacker.mjs'), packageRoot, agent.address, 'gnb-a-c1', certsDir], {
      reject: false,
      timeout: 60_000,
      env: { HOME: '/tmp' },
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const attempts = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { attempt: string; got: string; detail: string });
    expect(attempts.map((a) => a.attempt)).toEqual([
      'control over plaintext',
      'control over TLS without a client certificate',
      'take every KPM subscription slot without a certificate',
      'control with a certificate from its own CA',
      'read the certificates folder',
      'read ca.pem',
      'read controller.pem',
      'read controller-key.pem',
      'read agent-gnb-a.pem',
      'read agent-gnb-a-key.pem',
    ]);
    for (const a of attempts) expect(a.got, `${a.attempt}: ${a.detail}`).toBe('refused');
    expect(attempts[1]!.detail).toMatch(/^14 .*certificate required/);
    expect(attempts[3]!.detail).not.toMatch(/could not even try/);
    for (const a of attempts.slice(4)) expect(a.detail).toBe('EACCES');
    // The cell is as the controller left it, and the controller still gets every subscription it asks for.
    expect((await bs.setup()).cells[0]!.on).toBe(true);
    const got: KpmIndication[] = [];
    const sub = bs.subscribe(50, (i) => got.push(i), () => undefined);
    await until(() => got.length >= 2, 3000, 'KPM');
    sub.close();
    expect(got.at(-1)!.prbAvailDl).toBe(100);
  }, 90_000);
});

describe('a cell changed behind the controller\'s back is noticed from KPM', () => {
  it.each(['fail', 'restore'] as const)('onCellStateChange: %s', async (policy) => {
    const bs = driver('gnb-a', ctl, { onCellStateChange: policy });
    await bs.setup();
    await bs.control({ kind: 'prbQuota', cellId: 'gnb-a-c1', startPrb: 10, nPrb: 80 });
    await bs.control({ kind: 'cellState', cellId: 'gnb-a-c1', on: true });
    const got: KpmIndication[] = [];
    const errors: Error[] = [];
    bs.subscribe(50, (i) => got.push(i), (e) => errors.push(e));
    await until(() => got.length >= 3, 3000, 'KPM');
    expect(errors).toEqual([]);
    // Someone else holding a controller certificate turns the cell off.
    const intruder = createBaseStation('gnb-a', agent.address, { tls: ctl });
    drivers.push(intruder);
    const t = Date.now();
    await intruder.control({ kind: 'cellState', cellId: 'gnb-a-c1', on: false });
    if (policy === 'fail') {
      await until(() => errors.length > 0, 3000, 'the stream to fail');
      expect(Date.now() - t).toBeLessThan(500);
      expect(errors[0]).toMatchObject({ code: 'CELL_STATE_CHANGED', component: 'gnb-a', exitCode: 3 });
      expect(errors[0]!.message).toBe(
        "gnb-a: cell gnb-a-c1 reports 0 PRBs available, but the controller set it on with 80 PRBs from PRB 10: changed behind the controller's back",
      );
    } else {
      await until(() => (bs as unknown as { stats: { restored: number } }).stats.restored === 1, 3000, 'the restore');
      const n = got.length;
      await until(() => got.length >= n + 3, 3000, 'KPM after the restore');
      expect(errors).toEqual([]);
      expect(got.at(-1)!.prbAvailDl).toBe(80);
      expect((await bs.setup()).cells[0]!.on).toBe(true);
    }
  });
});

describe('a trial notices its cell changed behind its back', () => {
  let env: TrialEnv;
  beforeAll(async () => {
    env = await startTrialEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });

  async function tamperedTrial(policy: 'fail' | 'restore') {
    const prepared = await prepareRig(env, 'rigs/twin.yaml', `tamper${policy}`, { epochMs: 300 });
    const rig = parse(readFileSync(prepared.path, 'utf8'));
    rig.trial = { ...rig.trial, onCellStateChange: policy };
    writeFileSync(prepared.path, stringify(rig));
    const results = mkdtempSync(join(env.dir, 'results-'));
    const cli = runCli(['trial', prepared.path, '--results', results, '--epochs', '14', '--epoch-ms', '300'], prepared.env);
    const id = await waitForEpochs(env, results, 3);
    // The agent's port, found through this trial's own results folder.
    const pid = Number((await execa('pgrep', ['-f', join(results, id, 'twin', 'gnb-a.json')])).stdout.trim().split('\n')[0]);
    const ss = await execa('ss', ['-Hltnp']);
    const port = new RegExp(`127\\.0\\.0\\.1:(\\d+)\\s.*pid=${pid},`).exec(ss.stdout)![1];
    // Someone holding the trial's controller certificate (root can read it) turns gnb-a's cell off.
    const tls = readTlsFiles(controllerFiles(join(results, id, 'certs')), 'intruder');
    const intruder = createBaseStation('gnb-a', `127.0.0.1:${port}`, { tls });
    await intruder.control({ kind: 'cellState', cellId: 'gnb-a-c1', on: false });
    intruder.close();
    return { run: await cli, results, id };
  }

  it('onCellStateChange fail (the default): exit 3 naming the cell', async () => {
    const { run, results, id } = await tamperedTrial('fail');
    expect(run.exitCode, run.all).toBe(3);
    // The trial made its certificates for its user only.
    const dir = join(results, id, 'certs');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['agent-gnb-a-key.pem', 'agent-gnb-a.pem', 'agent-gnb-b-key.pem', 'agent-gnb-b.pem', 'ca.pem', 'controller-key.pem', 'controller.pem']);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
    expect(run.all).toMatch(/gnb-a: cell gnb-a-c1 reports 0 PRBs available, but the controller set it on with \d+ PRBs from PRB \d+: changed behind the controller's back/);
  }, 120_000);

  it('onCellStateChange restore: the controller puts the cell back and the trial completes', async () => {
    const { run, results, id } = await tamperedTrial('restore');
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toMatch(/restoring it/);
    const report = JSON.parse(readFileSync(join(results, id, 'report.json'), 'utf8')) as { completed: boolean };
    expect(report.completed).toBe(true);
  }, 120_000);
});
