// The measurement store: an embedded influxd must be installed; an external one must answer
// and hold the rig's database (nothing measured may be lost to a store that is not there).
import { checkInfluxReachable, findInfluxd } from '../measure/index.js';
import type { Rig } from '../rig/index.js';
import type { Check } from './check.js';

export function influxCheck(rig: Rig, timeoutMs: number): Check {
  if (rig.influx.embedded)
    return {
      component: 'influx',
      check: 'influxd installed',
      run: async () => {
        const exe = await findInfluxd();
        if (!exe) throw new Error('influxd not found: install Debian package influxdb');
        return `${exe} (embedded server started at bring-up)`;
      },
    };
  return {
    component: 'influx',
    check: 'reachable, database present',
    run: async () => {
      await checkInfluxReachable(rig.influx.url!, rig.influx.database, timeoutMs);
      return `${rig.influx.url} database ${rig.influx.database}`;
    },
  };
}
