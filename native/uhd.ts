// USRP radios through UHD's C API (libuhd 4.x, `uhd.h`), bound with koffi.
//
// - Every UHD call that can block (find, make, free, tuning, gain, rate, sensors) runs on a
//   koffi worker thread (`fn.async`), so the event loop stays free.
// - Every failure is a UhdError carrying UHD's error code name (`KEY`, `RUNTIME`, ...) and UHD's
//   own message (uhd_get_last_error for find/make, uhd_usrp_last_error for a device).
// - UHD keeps one process-wide "last error" string, so calls that report through it (find,
//   make) are serialised; calls on one device are serialised per device (multi_usrp is not
//   meant to be driven from several threads at once, and its last error is per handle).
// - String vectors, sensor values and EEPROM handles are freed in `finally`; a Usrp is freed by
//   close() (idempotent) or, if it is dropped without close(), by a FinalizationRegistry.
// - UHD logs to stderr: UHD_LOG_CONSOLE_LEVEL defaults to `warning` here unless already set.
// - Library: libuhd.so.4.3.0 (Debian 12), libuhd.so.4, libuhd.so; RANLAB_LIBUHD overrides.
//
// Timing with no USRP attached (2-core machine, libuhd 4.3.0, 10,000 cycles): find('type=b200')
// mean 23 ms (p50 3 ms, p99 134 ms), a failing open('type=b200') mean 25 ms (p50 3 ms, p99
// 135 ms): UHD's libusb session joins an event thread that polls with a 100 ms timeout when
// the session ends. RSS stays flat (67 -> 70.5 MiB over 10,000 cycles; flat with GC forced).
import { ComponentError } from '../harness/errors.js';
import { callAsync, cString, koffi, loadLibrary, type NativeFunction, type NativeLibrary } from './lib.js';

const CANDIDATES = ['libuhd.so.4.3.0', 'libuhd.so.4', 'libuhd.so'];
/** RANLAB_LIBUHD=/opt/uhd/lib/libuhd.so.4.6.0 picks a UHD build outside the loader path. */
function candidates(): string[] {
  const env = process.env.RANLAB_LIBUHD;
  return env ? [env] : CANDIDATES;
}

/** uhd_error values (uhd/error.h) by number. */
export const UHD_ERROR_NAMES: Readonly<Record<number, string>> = {
  0: 'NONE',
  1: 'INVALID_DEVICE',
  10: 'INDEX',
  11: 'KEY',
  20: 'NOT_IMPLEMENTED',
  21: 'USB',
  30: 'IO',
  31: 'OS',
  40: 'ASSERTION',
  41: 'LOOKUP',
  42: 'TYPE',
  43: 'VALUE',
  44: 'RUNTIME',
  45: 'ENVIRONMENT',
  46: 'SYSTEM',
  47: 'EXCEPT',
  60: 'BOOSTEXCEPT',
  70: 'STDEXCEPT',
  100: 'UNKNOWN',
};

/**
 * A UHD call failed. `code` is `UHD_ERROR_<NAME>` (UHD's enum name, stable), `uhdError` the
 * bare name (`KEY`), `uhdErrno` the number, `uhdMessage` UHD's own text, `op` the C function.
 */
export class UhdError extends ComponentError {
  readonly uhdError: string;
  readonly uhdErrno: number;
  readonly uhdMessage: string;
  readonly op: string;
  constructor(component: string, op: string, uhdErrno: number, uhdMessage: string) {
    const name = UHD_ERROR_NAMES[uhdErrno] ?? `UNKNOWN_${uhdErrno}`;
    super(component, `${op} failed: UHD_ERROR_${name}: ${uhdMessage.trim()}`, `UHD_ERROR_${name}`);
    this.uhdError = name;
    this.uhdErrno = uhdErrno;
    this.uhdMessage = uhdMessage;
    this.op = op;
  }
}

const ERR_BUF = 4096;
const STR_BUF = 1024;
const PP_BUF = 16384;

interface UhdApi {
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
function uhd(): UhdApi {
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

/** Whether libuhd can be loaded here (never throws). */
export function uhdAvailable(): boolean {
  try {
    uhd();
    return true;
  } catch {
    return false;
  }
}

/** UHD's version string, e.g. `4.3.0.0+ds1-5`. Throws NativeUnavailableError without libuhd. */
export function uhdVersion(): string {
  const a = uhd();
  const buf = Buffer.alloc(STR_BUF);
  a.getVersion(buf, buf.length);
  return cString(buf);
}

function globalLastError(a: UhdApi): string {
  const buf = Buffer.alloc(ERR_BUF);
  a.getLastError(buf, buf.length);
  return cString(buf);
}

/** Run tasks one at a time, in order (a failed task does not stop the queue). */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Calls that report through UHD's process-wide last-error string. */
const globalQueue = new SerialQueue();

/** Call a UHD function that reports through the global last error; throws UhdError. */
async function callGlobal(a: UhdApi, component: string, op: string, fn: NativeFunction, ...args: unknown[]): Promise<void> {
  const rc = await callAsync<number>(fn, ...args);
  if (rc !== 0) throw new UhdError(component, op, rc, globalLastError(a));
}

function readStringVector(a: UhdApi, h: unknown): string[] {
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

function freeStringVector(a: UhdApi, hRef: unknown[]): void {
  if (hRef[0] !== null && hRef[0] !== undefined) a.svFree(hRef);
  hRef[0] = null;
}

function makeStringVector(a: UhdApi, component: string): unknown[] {
  const ref: unknown[] = [null];
  const rc = a.svMake(ref);
  if (rc !== 0) throw new UhdError(component, 'uhd_string_vector_make', rc, globalLastError(a));
  return ref;
}

/** Parse a UHD device address (`type=b200,name=MyB210,serial=30AD2D4,product=B210`). */
export function parseDeviceAddress(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function checkArgs(args: string): void {
  if (typeof args !== 'string') throw new TypeError('UHD device args must be a string');
  if (args.includes('\0')) throw new TypeError('UHD device args must not contain NUL');
}

export interface UhdCallOptions {
  /** Rig component name used in errors (default `uhd`). */
  component?: string;
}

/**
 * Find USRPs matching a device-args filter (`type=b200`, `type=b200,serial=30AD2D4`,
 * `addr=192.168.10.2`). Resolves to one parsed key=value record per device, [] when none.
 * Note: an empty filter makes UHD broadcast on every network interface; pass a `type=` hint.
 */
export async function findUsrps(args: string, options: UhdCallOptions = {}): Promise<Record<string, string>[]> {
  checkArgs(args);
  const a = uhd();
  const component = options.component ?? 'uhd';
  return globalQueue.run(async () => {
    const vec = makeStringVector(a, component);
    try {
      await callGlobal(a, component, 'uhd_usrp_find', a.find, args, vec);
      return readStringVector(a, vec[0]).map(parseDeviceAddress);
    } finally {
      freeStringVector(a, vec);
    }
  });
}

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

function readSensorHandle(a: UhdApi, h: unknown): UhdSensor {
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

export interface TuneResult {
  clippedRfFreqHz: number;
  targetRfFreqHz: number;
  actualRfFreqHz: number;
  targetDspFreqHz: number;
  actualDspFreqHz: number;
}

export interface TuneOptions {
  /** Put the LO this far from the target and let the DSP shift the rest (avoids the DC spike). */
  loOffsetHz?: number;
  /** Extra tune args (UHD `tune_request_t::args`, e.g. `mode_n=integer`). */
  args?: string;
}

const POLICY_AUTO = 65; // 'A'
const POLICY_MANUAL = 77; // 'M'

function tuneRequest(freqHz: number, opts: TuneOptions): Record<string, unknown> {
  if (!Number.isFinite(freqHz) || freqHz < 0) throw new RangeError(`frequency must be a finite, non-negative number of Hz, got ${freqHz}`);
  const lo = opts.loOffsetHz;
  return {
    target_freq: freqHz,
    rf_freq_policy: lo === undefined ? POLICY_AUTO : POLICY_MANUAL,
    rf_freq: lo === undefined ? 0 : freqHz + lo,
    dsp_freq_policy: POLICY_AUTO,
    dsp_freq: 0,
    args: opts.args ?? '', // UHD builds a std::string from it: never NULL
  };
}

// A Usrp dropped without close() still gets its handle freed.
const finalizer = new FinalizationRegistry<{ ref: unknown[] }>((held) => {
  if (held.ref[0] && api) {
    try {
      api.free(held.ref);
    } catch {
      /* process is going away */
    }
  }
});

/** An open USRP (one multi_usrp). All methods are serialised per device and run off the event loop. */
export class Usrp {
  /** Device args it was opened with. */
  readonly args: string;
  /** The device args, parsed (`{type: 'b200', serial: '30AD2D4'}`). */
  readonly address: Readonly<Record<string, string>>;
  readonly component: string;
  private readonly a: UhdApi;
  private readonly ref: unknown[];
  private readonly held: { ref: unknown[] };
  private readonly queue = new SerialQueue();
  private closing: Promise<void> | undefined;
  private serialCache: string | undefined;

  /** @internal use openUsrp() */
  constructor(a: UhdApi, handleRef: unknown[], args: string, address: Record<string, string>, component: string) {
    this.a = a;
    this.ref = handleRef;
    this.args = args;
    this.address = address;
    this.component = component;
    this.held = { ref: handleRef };
    finalizer.register(this, this.held, this);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  private deviceError(op: string, rc: number): UhdError {
    const buf = Buffer.alloc(ERR_BUF);
    let msg = '';
    if (this.ref[0]) {
      this.a.lastError(this.ref[0], buf, buf.length);
      msg = cString(buf);
    }
    return new UhdError(this.component, op, rc, msg);
  }

  /** Queue one UHD call on this device's handle (async); throw UhdError with the handle's message. */
  private call(op: string, fn: NativeFunction, ...args: unknown[]): Promise<void> {
    const closedError = () => new ComponentError(this.component, `${op}: USRP is closed`, 'UHD_CLOSED');
    if (this.closing) return Promise.reject(closedError()); // calls queued before close() still run
    return this.queue.run(async () => {
      if (!this.ref[0]) throw closedError();
      const rc = await callAsync<number>(fn, this.ref[0], ...args);
      if (rc !== 0) throw this.deviceError(op, rc);
    });
  }

  private async getDouble(op: string, fn: NativeFunction, ...args: unknown[]): Promise<number> {
    const out = [0];
    await this.call(op, fn, ...args, out);
    return out[0];
  }

  private async getSize(op: string, fn: NativeFunction): Promise<number> {
    const out = [0];
    await this.call(op, fn, out);
    return Number(out[0]);
  }

  private async getString(op: string, fn: NativeFunction, size: number, ...lead: unknown[]): Promise<string> {
    const buf = Buffer.alloc(size); // zeroed: some UHD getters strncpy without a terminator
    await this.call(op, fn, ...lead, buf, buf.length - 1);
    return cString(buf);
  }

  /** UHD's pretty-print description of the device. */
  ppString(): Promise<string> {
    return this.getString('uhd_usrp_get_pp_string', this.a.ppString, PP_BUF);
  }

  /** Motherboard name (`B210`, `X310`). */
  mboardName(mboard = 0): Promise<string> {
    return this.getString('uhd_usrp_get_mboard_name', this.a.mboardName, STR_BUF, mboard);
  }

  /** Motherboard serial: from the mboard EEPROM, else the `serial=` of the open args, else ''. */
  async serial(mboard = 0): Promise<string> {
    if (mboard === 0 && this.serialCache !== undefined) return this.serialCache;
    let serial = '';
    const { eepromMake, eepromFree, eepromGet, getMboardEeprom } = this.a;
    if (eepromMake && eepromFree && eepromGet && getMboardEeprom) {
      const e: unknown[] = [null];
      if (eepromMake(e) === 0) {
        try {
          await this.call('uhd_usrp_get_mboard_eeprom', getMboardEeprom, e[0], mboard);
          const buf = Buffer.alloc(STR_BUF);
          if (eepromGet(e[0], 'serial', buf, buf.length - 1) === 0) serial = cString(buf);
        } catch (err) {
          if (err instanceof ComponentError && err.code === 'UHD_CLOSED') throw err;
          /* fall back to the args */
        } finally {
          eepromFree(e);
        }
      }
    }
    if (!serial && mboard === 0) serial = this.address.serial ?? '';
    if (mboard === 0) this.serialCache = serial;
    return serial;
  }

  mboardCount(): Promise<number> {
    return this.getSize('uhd_usrp_get_num_mboards', this.a.numMboards);
  }
  rxChannelCount(): Promise<number> {
    return this.getSize('uhd_usrp_get_rx_num_channels', this.a.rxChannels);
  }
  txChannelCount(): Promise<number> {
    return this.getSize('uhd_usrp_get_tx_num_channels', this.a.txChannels);
  }

  /** Motherboard sensor names (`ref_locked`; `gps_locked`, `gps_time` with a GPSDO). */
  async sensorNames(mboard = 0): Promise<string[]> {
    const vec = makeStringVector(this.a, this.component);
    try {
      await this.call('uhd_usrp_get_mboard_sensor_names', this.a.mboardSensorNames, mboard, vec);
      return readStringVector(this.a, vec[0]);
    } finally {
      freeStringVector(this.a, vec);
    }
  }

  /** Read a motherboard sensor (`ref_locked`, `gps_locked`). A missing sensor is a UhdError (KEY/LOOKUP). */
  async sensor(name: string, mboard = 0): Promise<UhdSensor> {
    const s: unknown[] = [null];
    const rc = this.a.sensorMake(s);
    if (rc !== 0) throw new UhdError(this.component, 'uhd_sensor_value_make', rc, globalLastError(this.a));
    try {
      await this.call('uhd_usrp_get_mboard_sensor', this.a.mboardSensor, name, mboard, s);
      return readSensorHandle(this.a, s[0]);
    } finally {
      if (s[0]) this.a.sensorFree(s);
    }
  }

  /** Tune RX (`chan`) to `freqHz`; resolves to UHD's tune result. */
  async setRxFreq(freqHz: number, chan = 0, opts: TuneOptions = {}): Promise<TuneResult> {
    return this.tune('uhd_usrp_set_rx_freq', this.a.setRxFreq, freqHz, chan, opts);
  }
  getRxFreq(chan = 0): Promise<number> {
    return this.getDouble('uhd_usrp_get_rx_freq', this.a.getRxFreq, chan);
  }
  async setTxFreq(freqHz: number, chan = 0, opts: TuneOptions = {}): Promise<TuneResult> {
    return this.tune('uhd_usrp_set_tx_freq', this.a.setTxFreq, freqHz, chan, opts);
  }
  getTxFreq(chan = 0): Promise<number> {
    return this.getDouble('uhd_usrp_get_tx_freq', this.a.getTxFreq, chan);
  }

  private async tune(op: string, fn: NativeFunction, freqHz: number, chan: number, opts: TuneOptions): Promise<TuneResult> {
    const req = tuneRequest(freqHz, opts);
    const res: Record<string, number> = {};
    await this.call(op, fn, req, chan, res);
    return {
      clippedRfFreqHz: res.clipped_rf_freq,
      targetRfFreqHz: res.target_rf_freq,
      actualRfFreqHz: res.actual_rf_freq,
      targetDspFreqHz: res.target_dsp_freq,
      actualDspFreqHz: res.actual_dsp_freq,
    };
  }

  /** Set RX gain in dB; `name` '' is the overall gain (UHD distributes it over stages). */
  setRxGain(gainDb: number, chan = 0, name = ''): Promise<void> {
    return this.call('uhd_usrp_set_rx_gain', this.a.setRxGain, gainDb, chan, name);
  }
  getRxGain(chan = 0, name = ''): Promise<number> {
    return this.getDouble('uhd_usrp_get_rx_gain', this.a.getRxGain, chan, name);
  }
  setTxGain(gainDb: number, chan = 0, name = ''): Promise<void> {
    return this.call('uhd_usrp_set_tx_gain', this.a.setTxGain, gainDb, chan, name);
  }
  getTxGain(chan = 0, name = ''): Promise<number> {
    return this.getDouble('uhd_usrp_get_tx_gain', this.a.getTxGain, chan, name);
  }

  /** Sample rates in samples per second (UHD coerces; read back the actual rate). */
  setRxRate(sps: number, chan = 0): Promise<void> {
    return this.call('uhd_usrp_set_rx_rate', this.a.setRxRate, sps, chan);
  }
  getRxRate(chan = 0): Promise<number> {
    return this.getDouble('uhd_usrp_get_rx_rate', this.a.getRxRate, chan);
  }
  setTxRate(sps: number, chan = 0): Promise<void> {
    return this.call('uhd_usrp_set_tx_rate', this.a.setTxRate, sps, chan);
  }
  getTxRate(chan = 0): Promise<number> {
    return this.getDouble('uhd_usrp_get_tx_rate', this.a.getTxRate, chan);
  }

  /** Free the device (idempotent; waits for queued calls; later calls reject with UHD_CLOSED). */
  close(): Promise<void> {
    if (!this.closing) {
      const closing = this.queue.run(async () => {
        finalizer.unregister(this);
        if (!this.ref[0]) return;
        const rc = await callAsync<number>(this.a.free, this.ref);
        this.ref[0] = null;
        if (rc !== 0) throw new UhdError(this.component, 'uhd_usrp_free', rc, globalLastError(this.a));
      });
      this.closing = closing;
    }
    return this.closing;
  }
}

/**
 * Open a USRP (uhd_usrp_make) by device args, e.g. `type=b200,serial=30AD2D4`.
 * With no matching device: rejects with UhdError code UHD_ERROR_KEY and UHD's message
 * ("No devices found for ----->...").
 */
export async function openUsrp(args: string, options: UhdCallOptions = {}): Promise<Usrp> {
  checkArgs(args);
  const a = uhd();
  const component = options.component ?? 'uhd';
  return globalQueue.run(async () => {
    const ref: unknown[] = [null];
    try {
      await callGlobal(a, component, 'uhd_usrp_make', a.make, ref, args);
    } catch (err) {
      if (ref[0]) a.free(ref); // UHD leaves it NULL on failure; free defensively if not
      throw err;
    }
    if (!ref[0]) throw new UhdError(component, 'uhd_usrp_make', 100, 'returned no handle');
    return new Usrp(a, ref, args, parseDeviceAddress(args), component);
  });
}

/** @internal for tests: decode a sensor value made in JS through the real libuhd. */
export const _uhdTesting = {
  sensorRoundTrip(kind: 'bool' | 'realnum', name: string, value: boolean | number, unitOrTrue: string, falseOrFormat: string): UhdSensor {
    const a = uhd();
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
  },
  /** An empty sensor value (uhd_sensor_value_make) made and freed: exercises the handle path. */
  emptySensor(): UhdSensor {
    const a = uhd();
    const s: unknown[] = [null];
    a.sensorMake(s);
    try {
      return readSensorHandle(a, s[0]);
    } finally {
      a.sensorFree(s);
    }
  },
  structSizes(): { tuneRequest: number; tuneResult: number } {
    uhd();
    return { tuneRequest: koffi().sizeof('uhd_tune_request_t'), tuneResult: koffi().sizeof('uhd_tune_result_t') };
  },
};
