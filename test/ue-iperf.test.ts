// UE traffic: Debian's iperf3 (--json), server on the core side, client bound to the UE's
// address or inside the UE's network namespace (one the test creates), and the twin's traffic
// (the radio model's throughput from the air).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, Supervisor } from '../harness/proc/index.js';
import { Air } from '../harness/twin/air.js';
import { nowNs } from '../harness/measure/types.js';
import { measureTwinTraffic, runIperfClient, startIperfServer, trafficPoints } from '../harness/ue/index.js';

const sup = new Supervisor();
const cleanups: (() => void)[] = [];
afterAll(async () => {
  await sup.stopAll();
  for (const f of cleanups.reverse()) f();
});

const tags = { rig: 'lab', trial: 't1', operator: 'op-a', ue: 'ue-a1' };

describe('iperf3 driver', () => {
  it('TCP downlink over loopback, bound to an address: throughput per interval as ue_traffic points', async () => {
    const port = await freePort();
    await startIperfServer(sup, { port, bind: '127.0.0.1' });
    const r = await runIperfClient({ ue: 'ue-a1', server: '127.0.0.1', port, bind: '127.0.0.1', durationS: 2, intervalS: 1 });
    expect(r).toMatchObject({ protocol: 'tcp', direction: 'dl', lostPercent: null });
    expect(r.bitsPerSecond).toBeGreaterThan(1e6);
    expect(r.intervals.length).toBeGreaterThanOrEqual(2);
    const pts = trafficPoints(r, tags);
    expect(pts).toHaveLength(r.intervals.length);
    expect(pts[0]).toMatchObject({ measurement: 'ue_traffic', tags: { ...tags, direction: 'dl' } });
    expect(pts[0].fields.throughputKbps).toBeGreaterThan(1000);
    expect(pts[1].timestampNs - pts[0].timestampNs).toBeGreaterThan(900_000_000n);
  });

  it('UDP uplink at a set bitrate reports loss and jitter', async () => {
    const port = await freePort();
    await startIperfServer(sup, { port, bind: '127.0.0.1' });
    const r = await runIperfClient({ ue: 'ue-a1', server: '127.0.0.1', port, durationS: 1, protocol: 'udp', bitrate: '20M', direction: 'ul' });
    expect(r.protocol).toBe('udp');
    expect(r.lostPercent).not.toBeNull();
    expect(r.jitterMs).not.toBeNull();
    expect(r.bitsPerSecond).toBeGreaterThan(10e6);
    // Uplink: the loss is the server's, for the whole test, on the last point.
    expect(trafficPoints(r, tags).at(-1)!.fields.lostPercent).toBe(r.lostPercent);
    const dl = await runIperfClient({ ue: 'ue-a1', server: '127.0.0.1', port, durationS: 1, protocol: 'udp', bitrate: '20M', direction: 'dl' });
    expect(dl.intervals[0].lostPercent).not.toBeNull();
    expect(trafficPoints(dl, tags)[0].fields).toHaveProperty('lostPercent');
  });

  it('a client inside the UE’s network namespace reaches the core-side server', async (ctx) => {
    const ns = `ranlab-ue-${process.pid}`;
    const host = `rlh${process.pid % 100000}`;
    const peer = `rlu${process.pid % 100000}`;
    const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe' });
    try {
      ip('netns', 'add', ns);
    } catch {
      ctx.skip(); // no permission for network namespaces here
      return;
    }
    cleanups.push(() => {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* gone */
      }
      try {
        ip('link', 'del', host);
      } catch {
        /* went with the namespace */
      }
    });
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer);
    ip('link', 'set', peer, 'netns', ns);
    ip('addr', 'add', '10.213.7.1/30', 'dev', host);
    ip('link', 'set', host, 'up');
    ip('-n', ns, 'addr', 'add', '10.213.7.2/30', 'dev', peer);
    ip('-n', ns, 'link', 'set', peer, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    const port = await freePort();
    await startIperfServer(sup, { port, bind: '10.213.7.1' });
    const r = await runIperfClient({ ue: 'ue-a1', server: '10.213.7.1', port, netns: ns, bind: '10.213.7.2', durationS: 1 });
    expect(r.bitsPerSecond).toBeGreaterThan(1e6);
  });

  it('iperf3’s own error becomes a ComponentError naming the UE', async () => {
    const port = await freePort();
    await expect(runIperfClient({ ue: 'ue-a1', server: '127.0.0.1', port, durationS: 1 })).rejects.toMatchObject({ code: 'TRAFFIC_FAILED', component: 'ue-a1', message: expect.stringMatching(/unable to connect|refused/i) });
    await expect(runIperfClient({ ue: 'ue-a1', server: '127.0.0.1; rm -rf /', port, durationS: 1 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('twin traffic', () => {
  it('is the radio model’s throughput for the UE, zero without service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ranlab-ue-iperf-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const air = new Air(dir);
    const base = { ueId: 'ue-a1', cellId: 'c1', operator: 'op-a', rat: 'NR' as const, band: 'n46', pci: 1, arfcn: 744000, bandwidthMHz: 40, scsKHz: 15, rsrpDbm: -80, rsrqDb: -10, sinrDb: 20, cqi: 13, updatedNs: nowNs().toString() };
    air.publishUe({ ...base, inService: true, throughputKbps: 52_000 });
    const p = measureTwinTraffic({ ue: 'ue-a1', airDir: dir, durationS: 0.6, intervalS: 0.2 });
    setTimeout(() => air.publishUe({ ...base, inService: false, throughputKbps: 0 }), 450);
    const r = await p;
    expect(r.intervals.map((i) => i.bitsPerSecond)).toEqual([52e6, 52e6, 0]);
    expect(trafficPoints(r, tags).map((x) => x.fields.throughputKbps)).toEqual([52_000, 52_000, 0]);
  });
});
