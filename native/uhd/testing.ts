// @internal for tests: sensor values made in JS through the real libuhd, and struct sizes.
import { koffi } from '../lib.js';
import { globalLastError, uhd } from './api.js';
import { UhdError } from './errors.js';
import { uhdCallLock } from './lock.js';
import { readSensorHandle, type UhdSensor } from './sensor.js';

export const _uhdTesting = {
  /** Decode a sensor value made through uhd_sensor_value_make_from_bool / _realnum. */
  sensorRoundTrip(kind: 'bool' | 'realnum', name: string, value: boolean | number, unitOrTrue: string, falseOrFormat: string): Promise<UhdSensor> {
    const a = uhd();
    return uhdCallLock().run('exclusive', () => {
      const s: unknown[] = [null];
      const fn = kind === 'bool' ? a.sensorMakeFromBool : a.sensorMakeFromRealnum;
      if (!fn) throw new Error('libuhd lacks uhd_sensor_value_make_from_*');
      const rc = fn(s, name, value, unitOrTrue, falseOrFormat);
      if (rc !== 0) throw new UhdError('uhd', 'uhd_sensor_value_make_from', rc, globalLastError(a));
      try {
        return readSensorHandle(a, s[0]);
      } finally {
        a.sensorFree(s);
      }
    });
  },
  /** An empty sensor value (uhd_sensor_value_make) made and freed: exercises the handle path. */
  emptySensor(): Promise<UhdSensor> {
    const a = uhd();
    return uhdCallLock().run('exclusive', () => {
      const s: unknown[] = [null];
      a.sensorMake(s);
      try {
        return readSensorHandle(a, s[0]);
      } finally {
        a.sensorFree(s);
      }
    });
  },
  structSizes(): { tuneRequest: number; tuneResult: number } {
    uhd();
    return { tuneRequest: koffi().sizeof('uhd_tune_request_t'), tuneResult: koffi().sizeof('uhd_tune_result_t') };
  },
};
