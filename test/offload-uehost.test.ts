// The UE side of an offload trial as its own process (`ranlab ue-host`): the head under a real
// cgroup CPU quota on the twin (measured per-block times that reflect the quota, the group
// found through this test's folder and removed at the end), the stated-slowdown fallback, and
// a lab UE whose sockets to the edge leave from its modem's data-session address (a twin
// modem on a real pty reporting 127.0.0.2 from AT+CGPADDR). Needs a build (children run from dist/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTrialCerts, type TrialCerts } from '../harness/certs/index.js';
import { EdgeClient, serveEdge } from '../harness/edge/index.js';
import { ComponentError } from '../harness/errors.js';
import { cpuHierarchies, createCpuQuota, nowMs, OffloadUe, PATCHNET, quotaFor, type UeHostOptions } from '../harness/offload/index.js';
import { cliEntry } from '../harness/paths.js';
import { Supervisor } from '../harness/proc/index.js';
import { loadRig, parseRig } from '../harness/rig/index.js';
import { dataSessionAddress } from '../harness/trial/offload-ues.js';
import { withKind } from '../harness/trial/run.js';
import { Air } from '../harness/twin/air.js';
import { startTwinModem } from '../harness/twin/modem.js';
import { AtModemUe } from '../harness/ue/index.js';
import { airReading } from './helpers/air-reading.js';

let dir: string;
let certs: TrialCerts;
let edge: Awaited<ReturnType<typeof serveEdge>>;
let address: string;
const sup = new Supervisor();
const started: OffloadUe[] = [];
const n = PATCHNET.blocks.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'ranlab-uehost-'));
  certs = await makeTrialCerts(join(dir, 'certs'), ['edge-1']);
  edge = await serveEdge({ id: 'edge-1', listen: '127.0.0.1:0', tls: certs.agents.get('edge-1')! });
  address = `127.0.0.1:${edge.port}`;
  const c = new EdgeClient('edge-1', address, certs.controller);
  await c.deploy(PATCHNET.name, 7);
  c.close();
}, 60_000);

afterAll(async () => {
  for (const u of started) await u.close().catch(() => undefined);
  await sup.stopAll();
  edge?.server.forceShutdown();
  await edge?.service.close();
  await edge?.telemetry.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ue(over: Partial<UeHostOptions> & { id: string }): Promise<OffloadUe> {
  const u = await OffloadUe.start(sup, {
    trialId: 'uehost-test',
    dir: join(dir, 'results', 'ue-host'),
    model: PATCHNET.name,
    seed: 7,
    edge: { id: 'edge-1', address, pathAddress: address, tls: certs.controller },
    slowdown: null,
    reps: 5,
    ...over,
  });
  started.push(u);
  return u;
}

describe('cgroup CPU quota', () => {
  it('a quota CFS can hold: 1 ms minimum, a short period', () => {
    expect(quotaFor(0.5)).toEqual({ periodUs: 10_000, quotaUs: 5000 });
    expect(quotaFor(0.1)).toEqual({ periodUs: 10_000, quotaUs: 1000 });
    expect(quotaFor(0.02)).toEqual({ periodUs: 50_000, quotaUs: 1000 });
    expect(() => quotaFor(0.0001)).toThrow(/below what CFS can hold/);
  });

  it('finds v1 and v2 hierarchies from mountinfo, v2 first, under this process’s own group', () => {
    const proc = join(dir, 'proc');
    mkdirSync(join(proc, 'self'), { recursive: true });
    writeFileSync(join(proc, 'self/cgroup'), '4:cpu,cpuacct:/job\n2:memory:/\n0::/session.scope\n');
    writeFileSync(
      join(proc, 'self/mountinfo'),
      ['31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw', '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct', '33 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory', '40 31 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw'].join('\n'),
    );
    expect(cpuHierarchies(proc)).toEqual([
      { version: 'v2', parent: '/sys/fs/cgroup/unified/session.scope' },
      { version: 'v1', parent: '/sys/fs/cgroup/cpu,cpuacct/job' },
    ]);
  });

  it('a v2 hierarchy without the cpu controller is passed over for v1; neither gives the reason', () => {
    const v2 = join(dir, 'fake-v2');
    const v1 = join(dir, 'fake-v1');
    mkdirSync(v2, { recursive: true });
    mkdirSync(v1, { recursive: true });
    writeFileSync(join(v2, 'cgroup.controllers'), 'memory pids\n');
    const q = createCpuQuota('g1', 0.25, [{ version: 'v2', parent: v2 }, { version: 'v1', parent: v1 }]);
    expect('why' in q).toBe(false);
    if ('why' in q) return;
    expect(q.version).toBe('v1');
    expect(readFileSync(join(v1, 'g1', 'cpu.cfs_quota_us'), 'utf8')).toBe('2500');
    expect(readFileSync(join(v1, 'g1', 'cpu.cfs_period_us'), 'utf8')).toBe('10000');
    const none = createCpuQuota('g2', 0.25, [{ version: 'v2', parent: v2 }]);
    expect(none).toEqual({ why: expect.stringMatching(/cgroup v2 at .*fake-v2: no cpu controller/) });
    expect(createCpuQuota('g3', 0.25, [])).toEqual({ why: 'no cgroup cpu hierarchy is mounted' });
  });
});

describe('UE host process', () => {
  it('the head under a 0.1-core cgroup quota takes measurably longer per block than without (same test, as a ratio)', async (ctx) => {
    const free = await ue({ id: 'ue-free' });
    expect(free.limit.kind).toBe('none');
    // Exactly 0.1 core, the quota alone: no correction towards the target, no hold of each head.
    const slow = await ue({ id: 'ue-slow', slowdown: 10, correctQuota: false, holdUnderQuota: false });
    if (slow.limit.kind !== 'cgroup') {
      // A host without a writable cgroup cpu hierarchy (an unprivileged CI runner): the fallback is tested below.
      ctx.skip(`no writable cgroup on this host: ${slow.limit.note}`);
      return;
    }
    expect(slow.limit.note).toMatch(/cgroup v[12] CPU quota 0\.1 cores \(1000 of every 10000 µs\) for a UE 10x slower than this host: measured [\d.]+x/);
    // Found through this test's folder, never by a machine-wide name; the process is in it.
    const group = readFileSync(join(dir, 'results', 'ue-host', 'ue-slow.cgroup'), 'utf8').trim();
    expect(group).toMatch(/ranlab-uehost-test-ue-slow$/);
    // Its inference engine is in it, its network side (the host process) is not.
    const members = readFileSync(join(group, 'cgroup.procs'), 'utf8').split('\n');
    expect(members).toContain(String(slow.enginePid));
    expect(members).not.toContain(String(slow.pid));
    const ratio = sum(slow.blockMs) / sum(free.blockMs);
    console.log(`per-block ms, no quota: ${free.blockMs.map((m) => m.toFixed(2)).join('/')}; 0.1-core quota: ${slow.blockMs.map((m) => m.toFixed(2)).join('/')}; ratio ${ratio.toFixed(1)}`);
    // 10x in principle; generous bounds for a shared, busy 2-core host.
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(60);
    // Requests under load show the same: 8 all-local requests at once run back to back on the UE's engine.
    const burst = async (u: OffloadUe) => {
      const t0 = nowMs();
      await Promise.all(Array.from({ length: 8 }, (_, i) => u.request(i, t0, n)));
      return nowMs() - t0;
    };
    const [a, b] = [await burst(free), await burst(slow)];
    console.log(`8 all-local requests at once: ${a.toFixed(1)} ms without quota, ${b.toFixed(1)} ms under it`);
    expect(b / a).toBeGreaterThan(2);
    // Through the edge too: the sample carries every stage.
    const s = await slow.request(1, nowMs(), 1);
    expect(s.bytesUp).toBeGreaterThan(0);
    expect(s.e2eMs).toBeGreaterThanOrEqual(s.headMs);
    await slow.close();
    expect(existsSync(group)).toBe(false);
  });

  it('a UE host that dies mid-trial: its cgroup is still removed at teardown, and its requests fail naming the UE', async (ctx) => {
    const u = await ue({ id: 'ue-dies', slowdown: 4 });
    if (u.limit.kind !== 'cgroup') {
      ctx.skip(`no writable cgroup on this host: ${u.limit.note}`);
      return;
    }
    // By default each head is also held to the stated factor (CFS bursts are longer than these blocks).
    expect(u.limit.note).toMatch(/each head also held to at least 4x this host's time/);
    const group = readFileSync(join(dir, 'results', 'ue-host', 'ue-dies.cgroup'), 'utf8').trim();
    expect(existsSync(group)).toBe(true);
    process.kill(u.enginePid, 'SIGKILL');
    process.kill(u.pid, 'SIGKILL');
    await expect(u.request(0, nowMs(), n)).rejects.toThrow(/^ue-dies: UE host/);
    await u.close();
    expect(existsSync(group)).toBe(false);
  });

  it('without a cgroup: the stated slowdown holds the head, and the limit says why', async () => {
    const u = await ue({ id: 'ue-stated', slowdown: 6, quota: () => ({ why: 'test: no hierarchy' }) });
    expect(u.limit).toMatchObject({ kind: 'slowdown', factor: 6 });
    expect(u.limit.note).toMatch(/stated slowdown factor 6.*no cgroup CPU quota: test: no hierarchy/);
    const r = await u.request(0, nowMs(), n);
    expect(r.headMs).toBeGreaterThanOrEqual(0.95 * sum(u.blockMs));
  });

  it('a cgroup is removed when bring-up fails', async () => {
    const parent = join(dir, 'fake-fail');
    mkdirSync(parent, { recursive: true });
    const made: string[] = [];
    const quota = (name: string, cores: number) => {
      const q = createCpuQuota(name, cores, [{ version: 'v1', parent }]);
      // A plain folder stands for the hierarchy: joining it is a file write, removing it an rmdir of a non-empty folder, so empty it first.
      if (!('why' in q)) made.push(q.path);
      return 'why' in q ? q : { ...q, add: () => undefined, remove: async () => rmSync(q.path, { recursive: true }) };
    };
    await expect(ue({ id: 'ue-bad', slowdown: 4, quota, model: 'no-such-model' })).rejects.toThrow(/ue-bad: model no-such-model/);
    expect(made).toHaveLength(1);
    expect(existsSync(made[0]!)).toBe(false);
  });
});

describe('lab UE: traffic over the modem’s data session', () => {
  it('binds to the data session’s address (AT+CGPADDR): the edge sees the UE’s requests from 127.0.0.2', async () => {
    const air = new Air(join(dir, 'air'));
    air.publishUe(airReading('ue-lab'));
    const modem = await startTwinModem(sup, { ueId: 'ue-lab', airDir: join(dir, 'air'), pdpAddress: '127.0.0.2', registerMs: 0, pollMs: 50 }, join(dir, 'modem'));
    const at = new AtModemUe({ id: 'ue-lab', operator: 'op-a', port: modem.port, apn: 'internet' });
    try {
      await at.open();
      await at.attach(5000);
      const bind = await dataSessionAddress('ue-lab', at);
      expect(bind).toBe('127.0.0.2');
      const u = await ue({ id: 'ue-lab', bind });
      expect(u.localAddress).toBe('127.0.0.2');
      const before = edge.peers.infer.length;
      const r = await u.request(0, nowMs(), 2);
      expect(r.bytesUp).toBeGreaterThan(0);
      const fresh = edge.peers.infer.slice(before);
      expect(fresh.length).toBeGreaterThan(0);
      expect(fresh.every((p) => /^(ipv4:)?127\.0\.0\.2:\d+$/.test(p))).toBe(true);
    } finally {
      await at.close();
    }
  });

  it('no data session: a clear error naming the UE', async () => {
    const air = new Air(join(dir, 'air-none'));
    air.publishUe(airReading('ue-other'));
    // This modem's cell is not on the air it reads: it never registers, so no context comes up.
    const modem = await startTwinModem(sup, { ueId: 'ue-nosession', airDir: join(dir, 'air-none'), registerMs: 0, pollMs: 50 }, join(dir, 'modem'));
    const at = new AtModemUe({ id: 'ue-nosession', operator: 'op-a', port: modem.port, apn: 'internet' });
    try {
      await at.open();
      const err = (await dataSessionAddress('ue-nosession', at).catch((e: unknown) => e)) as ComponentError;
      expect(err).toBeInstanceOf(ComponentError);
      expect(err.component).toBe('ue-nosession');
      expect(err.message).toMatch(/^ue-nosession: no data session for its offload traffic \(.*no network service/);
    } finally {
      await at.close();
    }
    await expect(dataSessionAddress('ue-x', undefined)).rejects.toThrow(/^ue-x: no data session .*needs an at-modem UE/);
  });

  it('a rig-named network namespace: the UE host runs in it and reaches an edge only reachable there', async (ctx) => {
    const ns = `ranlab-t-${process.pid}-${Date.now() % 100000}`;
    const made = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
    if (made.status !== 0) {
      ctx.skip(`cannot create a network namespace here (needs root and ip netns): ${(made.stderr || made.error?.message || '').trim()}`);
      return;
    }
    try {
      expect(spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']).status).toBe(0);
      // An edge agent inside the namespace: its loopback is not this process's.
      const cfg = join(dir, 'edge-ns.json');
      writeFileSync(cfg, JSON.stringify({ id: 'edge-1', listen: '127.0.0.1:0', tls: certs.agents.get('edge-1')! }));
      const agent = await sup.start({ name: 'edge-ns', command: 'ip', args: ['netns', 'exec', ns, process.execPath, cliEntry, 'edge-agent', '--config', cfg], readyLine: /listening on (\S+:\d+)/, lifeline: true });
      const nsAddress = agent.ready![1]!;
      const deploy = `import('${join(process.cwd(), 'dist/harness/edge/index.js')}').then(async (m) => { const c = new m.EdgeClient('edge-1', '${nsAddress}', ${JSON.stringify(certs.controller)}); await c.deploy('${PATCHNET.name}', 7); c.close(); })`;
      expect(spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', deploy], { encoding: 'utf8' }).status).toBe(0);
      const u = await ue({ id: 'ue-ns', netns: ns, edge: { id: 'edge-1', address: nsAddress, pathAddress: nsAddress, tls: certs.controller } });
      expect(statSync(`/proc/${u.pid}/ns/net`).ino).toBe(statSync(`/run/netns/${ns}`).ino);
      const r = await u.request(0, nowMs(), 2);
      expect(r.bytesUp).toBeGreaterThan(0);
      expect(agent.tail()).toMatch(/inference stream from (ipv4:)?127\.0\.0\.1:\d+/);
      await u.close();
      await agent.stop();
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });

  it('an address the host does not have: bring-up fails naming the UE', async () => {
    await expect(ue({ id: 'ue-far', bind: '192.0.2.77' })).rejects.toThrow(/ue-far: cannot reach the edge at .* from the data session's address 192\.0\.2\.77/);
  });
});

describe('lab rigs run offload over their modems', () => {
  it('rigs/lab-b210-srsran.yaml takes --kind offload and combined; a lab UE that is no modem is refused, named', () => {
    const rig = loadRig('rigs/lab-b210-srsran.yaml', { checkKeyFiles: false });
    expect(withKind(rig, 'offload').trial.kind).toBe('offload');
    expect(withKind(rig, 'combined').trial.kind).toBe('combined');
    const noModem = { ...rig, ues: rig.ues.map((u, i) => (i === 1 ? { ...u, driver: 'twin' as const } : u)) };
    expect(() => withKind(noModem, 'offload')).toThrow(/ues\.1\.driver: UE ue-b1 offloads on a lab rig: it must be an at-modem UE/);
    const text = readFileSync('rigs/lab-b210-srsran.yaml', 'utf8').replace('  policy: ledger', '  kind: offload\n  policy: ledger').replace(/^tls:\n(  .*\n)+/m, '');
    expect(() => parseRig(text, 'lab-offload.yaml', process.cwd(), { checkKeyFiles: false })).toThrow(/offload on a lab rig reaches the edge agent over mutual TLS/);
  });
});
