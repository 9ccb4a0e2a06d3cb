// Saturated demand on a real gNB is real traffic: each epoch, one iperf3 client per UE,
// bound to the address of the UE's data session (so the traffic goes through the modem and
// the gNB), to the rig's iperf3 server; UE i uses port basePort + i (an iperf3 server runs
// one test at a time). A UE without a data session or whose test fails is reported, and the
// others go on.
import { messageOf } from '../errors.js';
import { runIperfClient, type IperfClientOptions, type IperfDirection, type IperfProtocol, type IperfResult } from './iperf.js';
import type { Ue } from './types.js';

export interface EpochTrafficOptions {
  server: string;
  basePort: number;
  protocol: IperfProtocol;
  /** iperf3 -b (`100M`): set it for UDP. */
  bitrate?: string;
  durationS: number;
  direction: IperfDirection;
}

export interface TrafficOutcome {
  ueId: string;
  result?: IperfResult;
  error?: string;
}

/** `ues[i]` uses port basePort + i; a null entry (a UE not driven this trial) keeps its port unused. */
export function runEpochTraffic(
  ues: readonly (Pick<Ue, 'id' | 'dataSession'> | null)[],
  o: EpochTrafficOptions,
  run: (c: IperfClientOptions) => Promise<IperfResult> = runIperfClient,
): Promise<TrafficOutcome[]> {
  const slots = ues.flatMap((ue, i) => (ue ? [{ ue, i }] : []));
  return Promise.all(
    slots.map(async ({ ue, i }): Promise<TrafficOutcome> => {
      try {
        const s = await ue.dataSession();
        if (!s.active || !s.address) return { ueId: ue.id, error: `no data session (context ${s.cid} ${s.active ? 'has no address' : 'inactive'})` };
        const result = await run({ ue: ue.id, server: o.server, port: o.basePort + i, durationS: o.durationS, bind: s.address, protocol: o.protocol, direction: o.direction, ...(o.bitrate ? { bitrate: o.bitrate } : {}) });
        return { ueId: ue.id, result };
      } catch (err) {
        return { ueId: ue.id, error: messageOf(err) };
      }
    }),
  );
}
