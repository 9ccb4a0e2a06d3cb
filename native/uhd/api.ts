// The libuhd binding (koffi): which library file, the C prototypes of uhd.h that ranlab uses,
// and helpers for UHD's string vectors and its process-wide last-error string.
// Call these only while holding the UHD call lock (lock.ts): every UHD call rewrites that string.
// - Library: libuhd.so.4.3.0 (Debian 12), libuhd.so.4, libuhd.so; RANLAB_LIBUHD overrides.
// - UHD logs to stderr: UHD_LOG_CONSOLE_LEVEL defaults to `warning` here unless already set.
import { cString, koffi, loadLibrary, type NativeFunction, type NativeLibrary } from '../lib.js';
import { UhdError } from './errors.js';

const CANDIDATES = ['libuhd.so.4.3.0', 'libuhd.so.4', 'libuhd.so'];
/** RANLAB_LIBUHD=/opt/uhd/lib/libuhd.so.4.6.0 picks a UHD build outside the loader path. */
function candidates(): string[] {
  const env = process.env.RANLAB_LIBUHD;
  return env ? [env] : CANDIDATES;
}

export const ERR_BUF = 4096;
export const STR_BUF = 1024;
export const PP_BUF = 16384;

export interface UhdApi {
  lib: NativeLibrary;
  getVersion: NativeFunction;
  getLastError: NativeFunction;
  svMake: NativeFunction;
  svFree: NativeFunction;
  svSize: NativeFunction;
  svAt: NativeFunction;
  find: NativeFunction;
  make: NativeFunction;
  free: NativeFunction;
  lastError: NativeFunction;
  ppString: NativeFunction;
  mboardName: NativeFunction;
  numMboards: NativeFunction;
  rxChannels: NativeFunction;
  txChannels: NativeFunction;
  mboardSensor: NativeFunction;
  mboardSensorNames: NativeFunction;
  sensorMake: NativeFunction;
  sensorFree: NativeFunction;
  sensorName: NativeFunction;
  sensorValue: NativeFunction;
  sensorUnit: NativeFunction;
  sensorType: NativeFunction;
  sensorMakeFromBool?: NativeFunction;
  sensorMakeFromRealnum?: NativeFunction;
  eepromMake?: NativeFunction;
  eepromFree?: NativeFunction;
  eepromGet?: NativeFunction;
  getMboardEeprom?: NativeFunction;
  setRxFreq: NativeFunction;
  getRxFreq: NativeFunction;
  setTxFreq: NativeFunction;
  getTxFreq: NativeFunction;
  setRxGain: NativeFunction;
  getRxGain: NativeFunction;
  setTxGain: NativeFunction;
  getTxGain: NativeFunction;
  setRxRate: NativeFunction;
  getRxRate: NativeFunction;
  setTxRate: NativeFunction;
  getTxRate: NativeFunction;
}

let api: UhdApi | undefined;

/** Bind libuhd (once). Throws NativeUnavailableError('libuhd', ...) when it is not installed. */
export function uhd(): UhdApi {
  if (api) return api;
  if (process.env.UHD_LOG_CONSOLE_LEVEL === undefined) process.env.UHD_LOG_CONSOLE_LEVEL = 'warning';
  const lib = loadLibrary('libuhd', candidates());
  const k = koffi();
  // Opaque handle types (registered once per process; koffi rejects duplicate names).
  for (const name of ['uhd_usrp', 'uhd_string_vector_t', 'uhd_sensor_value_t', 'uhd_mboard_eeprom_t']) {
    try {
      k.opaque(name);
    } catch {
      /* already registered */
    }
  }
  try {
    // 48 and 40 bytes on LP64, as in uhd/types/tune_request.h and tune_result.h.
    k.struct('uhd_tune_request_t', {
      target_freq: 'double',
      rf_freq_policy: 'int',
      rf_freq: 'double',
      dsp_freq_policy: 'int',
      dsp_freq: 'double',
      args: 'const char *',
    });
    k.struct('uhd_tune_result_t', {
      clipped_rf_freq: 'double',
      target_rf_freq: 'double',
      actual_rf_freq: 'double',
      target_dsp_freq: 'double',
      actual_dsp_freq: 'double',
    });
  } catch {
    /* already registered */
  }
  const f = (p: string) => lib.fn(p);
  const o = (p: string) => lib.optionalFn(p);
  api = {
    lib,
    getVersion: f('int uhd_get_version_string(_Out_ uint8_t *buf, size_t len)'),
    getLastError: f('int uhd_get_last_error(_Out_ uint8_t *buf, size_t len)'),
    svMake: f('int uhd_string_vector_make(_Out_ uhd_string_vector_t **h)'),
    svFree: f('int uhd_string_vector_free(_Inout_ uhd_string_vector_t **h)'),
    svSize: f('int uhd_string_vector_size(uhd_string_vector_t *h, _Out_ size_t *n)'),
    svAt: f('int uhd_string_vector_at(uhd_string_vector_t *h, size_t index, _Out_ uint8_t *buf, size_t len)'),
    find: f('int uhd_usrp_find(const char *args, _Inout_ uhd_string_vector_t **h)'),
    make: f('int uhd_usrp_make(_Out_ uhd_usrp **h, const char *args)'),
    free: f('int uhd_usrp_free(_Inout_ uhd_usrp **h)'),
    lastError: f('int uhd_usrp_last_error(uhd_usrp *h, _Out_ uint8_t *buf, size_t len)'),
    ppString: f('int uhd_usrp_get_pp_string(uhd_usrp *h, _Out_ uint8_t *buf, size_t len)'),
    mboardName: f('int uhd_usrp_get_mboard_name(uhd_usrp *h, size_t mboard, _Out_ uint8_t *buf, size_t len)'),
    numMboards: f('int uhd_usrp_get_num_mboards(uhd_usrp *h, _Out_ size_t *n)'),
    rxChannels: f('int uhd_usrp_get_rx_num_channels(uhd_usrp *h, _Out_ size_t *n)'),
    txChannels: f('int uhd_usrp_get_tx_num_channels(uhd_usrp *h, _Out_ size_t *n)'),
    mboardSensor: f('int uhd_usrp_get_mboard_sensor(uhd_usrp *h, const char *name, size_t mboard, _Inout_ uhd_sensor_value_t **s)'),
    mboardSensorNames: f('int uhd_usrp_get_mboard_sensor_names(uhd_usrp *h, size_t mboard, _Inout_ uhd_string_vector_t **v)'),
    sensorMake: f('int uhd_sensor_value_make(_Out_ uhd_sensor_value_t **h)'),
    sensorFree: f('int uhd_sensor_value_free(_Inout_ uhd_sensor_value_t **h)'),
    sensorName: f('int uhd_sensor_value_name(uhd_sensor_value_t *h, _Out_ uint8_t *buf, size_t len)'),
    sensorValue: f('int uhd_sensor_value_value(uhd_sensor_value_t *h, _Out_ uint8_t *buf, size_t len)'),
    sensorUnit: f('int uhd_sensor_value_unit(uhd_sensor_value_t *h, _Out_ uint8_t *buf, size_t len)'),
    sensorType: f('int uhd_sensor_value_data_type(uhd_sensor_value_t *h, _Out_ int *type)'),
    sensorMakeFromBool: o('int uhd_sensor_value_make_from_bool(_Out_ uhd_sensor_value_t **h, const char *name, bool value, const char *utrue, const char *ufalse)'),
    sensorMakeFromRealnum: o('int uhd_sensor_value_make_from_realnum(_Out_ uhd_sensor_value_t **h, const char *name, double value, const char *unit, const char *formatter)'),
    eepromMake: o('int uhd_mboard_eeprom_make(_Out_ uhd_mboard_eeprom_t **h)'),
    eepromFree: o('int uhd_mboard_eeprom_free(_Inout_ uhd_mboard_eeprom_t **h)'),
    eepromGet: o('int uhd_mboard_eeprom_get_value(uhd_mboard_eeprom_t *h, const char *key, _Out_ uint8_t *buf, size_t len)'),
    getMboardEeprom: o('int uhd_usrp_get_mboard_eeprom(uhd_usrp *h, uhd_mboard_eeprom_t *e, size_t mboard)'),
    setRxFreq: f('int uhd_usrp_set_rx_freq(uhd_usrp *h, uhd_tune_request_t *req, size_t chan, _Out_ uhd_tune_result_t *res)'),
    getRxFreq: f('int uhd_usrp_get_rx_freq(uhd_usrp *h, size_t chan, _Out_ double *freq)'),
    setTxFreq: f('int uhd_usrp_set_tx_freq(uhd_usrp *h, uhd_tune_request_t *req, size_t chan, _Out_ uhd_tune_result_t *res)'),
    getTxFreq: f('int uhd_usrp_get_tx_freq(uhd_usrp *h, size_t chan, _Out_ double *freq)'),
    setRxGain: f('int uhd_usrp_set_rx_gain(uhd_usrp *h, double gain, size_t chan, const char *name)'),
    getRxGain: f('int uhd_usrp_get_rx_gain(uhd_usrp *h, size_t chan, const char *name, _Out_ double *gain)'),
    setTxGain: f('int uhd_usrp_set_tx_gain(uhd_usrp *h, double gain, size_t chan, const char *name)'),
    getTxGain: f('int uhd_usrp_get_tx_gain(uhd_usrp *h, size_t chan, const char *name, _Out_ double *gain)'),
    setRxRate: f('int uhd_usrp_set_rx_rate(uhd_usrp *h, double rate, size_t chan)'),
    getRxRate: f('int uhd_usrp_get_rx_rate(uhd_usrp *h, size_t chan, _Out_ double *rate)'),
    setTxRate: f('int uhd_usrp_set_tx_rate(uhd_usrp *h, double rate, size_t chan)'),
    getTxRate: f('int uhd_usrp_get_tx_rate(uhd_usrp *h, size_t chan, _Out_ double *rate)'),
  };
  return api;
}

/** UHD's process-wide last error ("None" after a success). Hold the lock exclusively. */
export function globalLastError(a: UhdApi): string {
  const buf = Buffer.alloc(ERR_BUF);
  a.getLastError(buf, buf.length);
  return cString(buf);
}

export function readStringVector(a: UhdApi, h: unknown): string[] {
  const n = [0];
  if (a.svSize(h, n) !== 0) return [];
  const out: string[] = [];
  const buf = Buffer.alloc(PP_BUF);
  for (let i = 0; i < Number(n[0]); i++) {
    buf.fill(0);
    if (a.svAt(h, i, buf, buf.length) === 0) out.push(cString(buf));
  }
  return out;
}

export function freeStringVector(a: UhdApi, hRef: unknown[]): void {
  if (hRef[0] !== null && hRef[0] !== undefined) a.svFree(hRef);
  hRef[0] = null;
}

/**
 * A new string vector handle. On failure its message is UHD's global last error, which is
 * only this call's under an exclusive hold; under a shared hold the message may be another's.
 */
export function makeStringVector(a: UhdApi, component: string): unknown[] {
  const ref: unknown[] = [null];
  const rc = a.svMake(ref);
  if (rc !== 0) throw new UhdError(component, 'uhd_string_vector_make', rc, globalLastError(a));
  return ref;
}
