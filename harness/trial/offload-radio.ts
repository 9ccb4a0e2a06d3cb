// The radio side of an offload trial: cells on with their whole carrier (when this kind owns
// the grants), KPM from every base station into InfluxDB, and each UE's latest uplink and
// downlink throughput, which paces its relay.
import { ComponentError } from '../errors.js';
import type { LinkRates } from '../offload/index.js';
import type { KpmSubscription } from '../ran/index.js';
import type { RigSession } from './session.js';
import { kpmPoints } from './spectrum.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RadioFeed {
  rates: Map<string, LinkRates>;
  close(): void;
}

/** Resolves once every UE in `ueIds` has uplink throughput (its cell on, with a grant). */
export async function followRadio(
  session: RigSession,
  ueIds: string[],
  o: { kpmPeriodMs: number; ownGrants: boolean; onRates: (ue: string, r: LinkRates) => void },
): Promise<RadioFeed> {
  const rates = new Map<string, LinkRates>();
  const subs: KpmSubscription[] = [];
  const close = () => subs.forEach((s) => s.close());
  try {
    for (const bs of session.basestations.values()) {
      for (const cell of o.ownGrants ? bs.setup.cells : []) {
        await session.race(bs.driver.control({ kind: 'prbQuota', cellId: cell.id, startPrb: 0, nPrb: cell.prbTotal }));
        await session.race(bs.driver.control({ kind: 'cellState', cellId: cell.id, on: true }));
        cell.on = true;
      }
      subs.push(
        bs.driver.subscribe(
          o.kpmPeriodMs,
          (ind) => {
            session.write(kpmPoints(ind, { ...session.baseTags(), operator: bs.rig.operator, bs: bs.rig.id }));
            for (const u of ind.ues) {
              const r = { ulKbps: u.thpUlKbps ?? u.thpDlKbps, dlKbps: u.thpDlKbps };
              rates.set(u.ueId, r);
              o.onRates(u.ueId, r);
            }
          },
          (err) => session.fail(err instanceof ComponentError ? err : new ComponentError(bs.rig.id, err.message, 'KPM_STREAM_BROKEN')),
        ),
      );
    }
    // A UE's path exists once its cell is on with a grant (in a combined run, the first epoch's).
    const deadline = Date.now() + 15_000;
    const ready = (u: string) => (rates.get(u)?.ulKbps ?? 0) > 0;
    while (!ueIds.every(ready)) {
      if (Date.now() > deadline) throw new ComponentError(ueIds.find((u) => !ready(u))!, "no uplink throughput in this UE's KPM within 15 s: is it served by a cell of the rig, and granted PRBs?", 'UE_NO_KPM');
      await session.race(sleep(50));
    }
  } catch (err) {
    close();
    throw err;
  }
  return { rates, close };
}
