// One UE's reading on the twin air, as a twin gNB publishes it: an NR n46 cell in service,
// idle (no throughput, so the modem reports NOCONN); tests override what they need.
import { nowNs } from '../../harness/measure/index.js';
import type { AirUeReading } from '../../harness/twin/air.js';

export function airReading(ueId: string, over: Partial<AirUeReading> = {}): AirUeReading {
  return {
    ueId,
    cellId: 'gnb-a-c1',
    operator: 'op-a',
    rat: 'NR',
    band: 'n46',
    pci: 101,
    arfcn: 744000,
    bandwidthMHz: 40,
    scsKHz: 15,
    inService: true,
    rsrpDbm: -84.6,
    rsrqDb: -10.8,
    sinrDb: 17.7,
    cqi: 12,
    throughputKbps: 0,
    updatedNs: nowNs().toString(),
    ...over,
  };
}
