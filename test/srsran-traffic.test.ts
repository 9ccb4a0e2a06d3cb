// Real traffic for saturated demand on lab rigs: an iperf3 client per UE bound to the UE's
// data-session address, one server port per UE. Here the "data sessions" are loopback
// addresses and the servers real iperf3 processes on loopback (test traffic stays on loopback).
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, Supervisor } from '../harness/proc/index.js';
import { runEpochTraffic, startIperfServer, trafficPoints } from '../harness/ue/index.js';

const sup = new Supervisor();
afterAll(() => sup.stopAll());

describe('epoch traffic (iperf3 through each UE data session)', () => {
  it('one test per UE on its own port, bound to its address; a UE without a session is reported, the others measured', async () => {
    const base = await freePort();
    // The UE at index 1 has no session: its port need not exist. UE 0 uses base, UE 2 base + 2.
    await startIperfServer(sup, { port: base, bind: '127.0.0.1' });
    await startIperfServer(sup, { port: base + 2, bind: '127.0.0.1' });
    const ue = (id: string, address: string | null) => ({ id, dataSession: async () => ({ cid: 1, active: address !== null, address }) });
    const out = await runEpochTraffic([ue('ue-a1', '127.0.0.1'), ue('ue-a2', null), ue('ue-b1', '127.0.0.2')], {
      server: '127.0.0.1', basePort: base, protocol: 'tcp', durationS: 1, direction: 'dl',
    });
    expect(out.map((o) => o.ueId)).toEqual(['ue-a1', 'ue-a2', 'ue-b1']);
    expect(out[1]!.error).toMatch(/no data session \(context 1 inactive\)/);
    for (const o of [out[0]!, out[2]!]) {
      expect(o.error, o.error).toBeUndefined();
      expect(o.result!.bitsPerSecond).toBeGreaterThan(1e6);
      const pts = trafficPoints(o.result!, { rig: 'r', trial: 't', operator: 'op-a', ue: o.ueId });
      expect(pts[0]).toMatchObject({ measurement: 'ue_traffic', tags: { ue: o.ueId, direction: 'dl' } });
    }
  }, 30_000);
});
