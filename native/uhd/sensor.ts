// Sensor values (uhd_sensor_value_t): motherboard sensors such as `ref_locked`, decoded.
import { cString, type NativeFunction } from '../lib.js';
import { STR_BUF, type UhdApi } from './api.js';

export type UhdSensorType = 'boolean' | 'integer' | 'realnum' | 'string';

/** A sensor reading as UHD reports it. */
export interface UhdSensor {
  name: string;
  type: UhdSensorType;
  /** boolean for `boolean` sensors (UHD: value string "true"), number for integer/realnum. */
  value: boolean | number | string;
  /** The raw value string. */
  raw: string;
  /** Unit; for booleans UHD puts the human word here (`locked` / `unlocked`). */
  unit: string;
}

const SENSOR_TYPES: Record<number, UhdSensorType> = { 98: 'boolean', 105: 'integer', 114: 'realnum', 115: 'string' };

export function readSensorHandle(a: UhdApi, h: unknown): UhdSensor {
  const buf = Buffer.alloc(STR_BUF);
  const str = (fn: NativeFunction) => {
    buf.fill(0);
    fn(h, buf, buf.length);
    return cString(buf);
  };
  const name = str(a.sensorName);
  const raw = str(a.sensorValue);
  const unit = str(a.sensorUnit);
  const t = [0];
  a.sensorType(h, t);
  const type = SENSOR_TYPES[t[0]] ?? 'string';
  let value: boolean | number | string = raw;
  if (type === 'boolean') value = raw === 'true';
  else if (type === 'integer') value = Number.parseInt(raw, 10);
  else if (type === 'realnum') value = Number.parseFloat(raw);
  return { name, type, value, raw, unit };
}
