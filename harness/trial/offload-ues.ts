// The UEs of an offload trial: one host process each (the head of the model and the UE's side
// of its path, offload/ue.ts). On the twin its CPU is limited to a phone's (a cgroup quota, or
// the stated slowdown) and its tensors cross a relay paced by the twin radio. On a lab rig it
// is the real UE host, and its sockets to the edge leave from the modem's data-session address
// (AT+CGPADDR), or it runs in the rig-named network namespace of the modem's interface: the
// real radio paces them.
import { join } from 'node:path';
import type { TlsFiles } from '../certs/index.js';
import type { ClockOffset } from '../edge/index.js';
import { ComponentError, messageOf } from '../errors.js';
import { OffloadUe, PacedRelay, type LinkRates } from '../offload/index.js';
import type { RigOffload } from '../rig/index.js';
import type { Ue } from '../ue/index.js';
import type { RigSession } from './session.js';

export interface OffloadUesOptions {
  ueIds: string[];
  edge: { id: string; address: string; tls: TlsFiles };
  offload: RigOffload;
  /** The edge's clock against this process's: a UE host on this machine derives its own exactly. */
  clock: ClockOffset;
  /** Each UE's current throughput (twin: paces its relay). */
  rates: Map<string, LinkRates>;
  /** Filled with each twin UE's relay, so KPM can move its rates. */
  relays: Map<string, PacedRelay>;
  /** What to close at the end (UE hosts, relays), in the order they were started. */
  closers: (() => void | Promise<void>)[];
}

export async function startOffloadUes(session: RigSession, o: OffloadUesOptions): Promise<Map<string, OffloadUe>> {
  const { rig } = session;
  const ues = new Map<string, OffloadUe>();
  // One at a time: each measures its per-block times at bring-up, undisturbed by the others.
  for (const id of o.ueIds) {
    let pathAddress = o.edge.address;
    let bind: string | undefined;
    const netns = rig.mode === 'lab' ? rig.ues.find((u) => u.id === id)?.netns : undefined;
    if (rig.mode === 'twin') {
      const { relay, address } = await PacedRelay.start(id, o.edge.address, o.rates.get(id)!, o.offload.airDelayMs);
      o.relays.set(id, relay);
      o.closers.push(() => relay.close());
      pathAddress = address;
    } else {
      // The session must be up either way; in its namespace the routes carry the traffic, elsewhere the bound address does.
      const address = await session.race(dataSessionAddress(id, session.ues.get(id)));
      if (!netns) bind = address;
    }
    const ue = await session.race(
      OffloadUe.start(session.supervisor, {
        id,
        trialId: session.trialId,
        dir: join(session.opts.resultsDir, 'ue-host'),
        model: o.offload.model,
        seed: o.offload.seed,
        edge: { ...o.edge, pathAddress },
        bind,
        netns,
        clock: o.clock,
        slowdown: rig.mode === 'twin' ? o.offload.ueSlowdown : null,
      }),
    );
    o.closers.push(() => ue.close());
    ues.set(id, ue);
  }
  return ues;
}

/** The address of a lab UE's data session, started if it is not up; an error naming the UE otherwise. */
export async function dataSessionAddress(id: string, ue: Pick<Ue, 'dataSession' | 'startDataSession'> | undefined): Promise<string> {
  const missing = (why: string) => new ComponentError(id, `no data session for its offload traffic (${why}): a lab UE's tensors cross its modem's data session`, 'UE_NO_DATA_SESSION');
  if (!ue) throw missing('no modem driven for this UE: offload on a lab rig needs an at-modem UE');
  let s;
  try {
    s = await ue.dataSession();
    if (!s.active || !s.address) s = await ue.startDataSession({ cid: s.cid });
  } catch (err) {
    throw missing(messageOf(err));
  }
  if (!s.active || !s.address) throw missing(`context ${s.cid} ${s.active ? 'has no address' : 'is not active'}`);
  return s.address;
}
