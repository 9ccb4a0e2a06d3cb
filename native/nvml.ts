// NVIDIA GPUs through NVML (libnvidia-ml.so.1), bound with koffi, and a GPU telemetry sampler.
//
// - Without the library (no NVIDIA driver: this machine, CI) everything here is a typed
//   NativeUnavailableError('nvml'); startGpuSampler() instead logs "NVML not available" once
//   per process and hands back a sampler whose `available` is false: the trial goes on.
// - NVML failures are NvmlError: `code` `NVML_ERROR_<NAME>`, the nvmlReturn_t number and
//   nvmlErrorString's text.
// - Calls go through koffi's worker threads (nvmlInit can take a second on a GPU that is not
//   in persistence mode; a sample is about 8 calls per GPU).
// - Temperature: nvmlDeviceGetTemperatureV (NVML 12.x+, the non-deprecated form in NVML 13) when
//   the driver has it, else nvmlDeviceGetTemperature.
import type { Logger } from 'pino';
import { ComponentError, NativeUnavailableError, messageOf } from '../harness/errors.js';
import { childLog } from '../harness/log.js';
import { nowNs, type FieldSet, type MeasurementSink, type Point } from '../harness/measure/types.js';
import { callAsync, cString, koffi, loadLibrary, type NativeFunction, type NativeLibrary } from './lib.js';

export const NVML_LIBRARY_CANDIDATES: readonly string[] = ['libnvidia-ml.so.1', 'libnvidia-ml.so'];

export const NVML_RETURN_NAMES: Readonly<Record<number, string>> = {
  0: 'SUCCESS',
  1: 'UNINITIALIZED',
  2: 'INVALID_ARGUMENT',
  3: 'NOT_SUPPORTED',
  4: 'NO_PERMISSION',
  5: 'ALREADY_INITIALIZED',
  6: 'NOT_FOUND',
  7: 'INSUFFICIENT_SIZE',
  8: 'INSUFFICIENT_POWER',
  9: 'DRIVER_NOT_LOADED',
  10: 'TIMEOUT',
  11: 'IRQ_ISSUE',
  12: 'LIBRARY_NOT_FOUND',
  13: 'FUNCTION_NOT_FOUND',
  14: 'CORRUPTED_INFOROM',
  15: 'GPU_IS_LOST',
  16: 'RESET_REQUIRED',
  17: 'OPERATING_SYSTEM',
  18: 'LIB_RM_VERSION_MISMATCH',
  19: 'IN_USE',
  20: 'MEMORY',
  21: 'NO_DATA',
  22: 'VGPU_ECC_NOT_SUPPORTED',
  23: 'INSUFFICIENT_RESOURCES',
  24: 'FREQ_NOT_SUPPORTED',
  25: 'ARGUMENT_VERSION_MISMATCH',
  26: 'DEPRECATED',
  27: 'NOT_READY',
  28: 'GPU_NOT_FOUND',
  29: 'INVALID_STATE',
  30: 'RESET_TYPE_NOT_SUPPORTED',
  999: 'UNKNOWN',
};

const NOT_SUPPORTED = 3;
const FUNCTION_NOT_FOUND = 13;
const ARGUMENT_VERSION_MISMATCH = 25;
const TEMPERATURE_GPU = 0;
const CLOCK_SM = 1;
const CLOCK_MEM = 2;
/** nvmlTemperature_v1: sizeof(nvmlTemperature_v1_t) | (1 << 24). */
const TEMPERATURE_V1 = 12 | (1 << 24);
/** nvmlMemory_v2: NVML_STRUCT_VERSION(Memory, 2), the struct's 40 bytes and version 2. */
const MEMORY_V2 = 40 | (2 << 24);
const NAME_BUF = 96;

/** An NVML call failed. `nvmlReturn` is the nvmlReturn_t, `nvmlMessage` nvmlErrorString's text. */
export class NvmlError extends ComponentError {
  readonly nvmlReturn: number;
  readonly nvmlName: string;
  readonly nvmlMessage: string;
  readonly op: string;
  constructor(op: string, nvmlReturn: number, nvmlMessage: string, component = 'nvml') {
    const name = NVML_RETURN_NAMES[nvmlReturn] ?? `UNKNOWN_${nvmlReturn}`;
    super(component, `${op} failed: NVML_ERROR_${name}: ${nvmlMessage}`, `NVML_ERROR_${name}`);
    this.nvmlReturn = nvmlReturn;
    this.nvmlName = name;
    this.nvmlMessage = nvmlMessage;
    this.op = op;
  }
}

interface NvmlApi {
  lib: NativeLibrary;
  init: NativeFunction;
  shutdown: NativeFunction;
  errorString: NativeFunction;
  driverVersion?: NativeFunction;
  count: NativeFunction;
  handleByIndex: NativeFunction;
  name: NativeFunction;
  uuid: NativeFunction;
  utilization: NativeFunction;
  memory: NativeFunction;
  memoryV2?: NativeFunction;
  temperature?: NativeFunction;
  temperatureV?: NativeFunction;
  power: NativeFunction;
  clock: NativeFunction;
}

const apis = new Map<string, NvmlApi>();

function registerTypes(): void {
  const k = koffi();
  for (const def of [
    () => k.opaque('nvmlDevice_st'),
    () => k.struct('nvmlUtilization_t', { gpu: 'uint', memory: 'uint' }),
    () => k.struct('nvmlMemory_t', { total: 'unsigned long long', free: 'unsigned long long', used: 'unsigned long long' }),
    () => k.struct('nvmlMemory_v2_t', { version: 'uint', total: 'unsigned long long', reserved: 'unsigned long long', free: 'unsigned long long', used: 'unsigned long long' }),
    () => k.struct('nvmlTemperature_v1_t', { version: 'uint', sensorType: 'int', temperature: 'int' }),
  ]) {
    try {
      def();
    } catch {
      /* already registered */
    }
  }
}

function bind(candidates: readonly string[]): NvmlApi {
  const key = candidates.join('\0');
  const cached = apis.get(key);
  if (cached) return cached;
  const lib = loadLibrary('nvml', candidates);
  registerTypes();
  const f = (p: string) => lib.fn(p);
  const o = (p: string) => lib.optionalFn(p);
  const api: NvmlApi = {
    lib,
    init: f('int nvmlInit_v2()'),
    shutdown: f('int nvmlShutdown()'),
    errorString: f('const char *nvmlErrorString(int result)'),
    driverVersion: o('int nvmlSystemGetDriverVersion(_Out_ uint8_t *buf, uint len)'),
    count: f('int nvmlDeviceGetCount_v2(_Out_ uint *count)'),
    handleByIndex: f('int nvmlDeviceGetHandleByIndex_v2(uint index, _Out_ nvmlDevice_st **device)'),
    name: f('int nvmlDeviceGetName(nvmlDevice_st *device, _Out_ uint8_t *buf, uint len)'),
    uuid: f('int nvmlDeviceGetUUID(nvmlDevice_st *device, _Out_ uint8_t *buf, uint len)'),
    utilization: f('int nvmlDeviceGetUtilizationRates(nvmlDevice_st *device, _Out_ nvmlUtilization_t *u)'),
    memory: f('int nvmlDeviceGetMemoryInfo(nvmlDevice_st *device, _Out_ nvmlMemory_t *m)'),
    memoryV2: o('int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_st *device, _Inout_ nvmlMemory_v2_t *m)'),
    temperatureV: o('int nvmlDeviceGetTemperatureV(nvmlDevice_st *device, _Inout_ nvmlTemperature_v1_t *t)'),
    temperature: o('int nvmlDeviceGetTemperature(nvmlDevice_st *device, int sensor, _Out_ uint *temp)'),
    power: f('int nvmlDeviceGetPowerUsage(nvmlDevice_st *device, _Out_ uint *milliwatts)'),
    clock: f('int nvmlDeviceGetClockInfo(nvmlDevice_st *device, int type, _Out_ uint *mhz)'),
  };
  apis.set(key, api);
  return api;
}

/** Whether libnvidia-ml can be loaded here (never throws; says nothing about a working driver). */
export function nvmlAvailable(candidates: readonly string[] = NVML_LIBRARY_CANDIDATES): boolean {
  try {
    bind(candidates);
    return true;
  } catch {
    return false;
  }
}

export interface GpuDevice {
  index: number;
  name: string;
  /** `GPU-xxxxxxxx-...`: stable across reboots, unlike the index. */
  uuid: string;
}

/** One GPU reading; a field the GPU does not support (NOT_SUPPORTED, e.g. on MIG) is absent. */
export interface GpuSample extends GpuDevice {
  timestampNs: bigint;
  utilGpuPct?: number;
  utilMemPct?: number;
  memUsedBytes?: number;
  memTotalBytes?: number;
  temperatureC?: number;
  powerW?: number;
  smClockMHz?: number;
  memClockMHz?: number;
}

interface DeviceEntry extends GpuDevice {
  handle: unknown;
}

/** An initialised NVML session (nvmlInit_v2 .. nvmlShutdown). */
export class Nvml {
  private readonly a: NvmlApi;
  private closed = false;
  private deviceList: DeviceEntry[] | undefined;

  /** @internal use openNvml() */
  constructor(a: NvmlApi) {
    this.a = a;
  }

  private error(op: string, rc: number): NvmlError {
    let text = '';
    try {
      text = String(this.a.errorString(rc) ?? '');
    } catch {
      /* keep empty */
    }
    return new NvmlError(op, rc, text);
  }

  private async call(op: string, fn: NativeFunction, ...args: unknown[]): Promise<void> {
    if (this.closed) throw new ComponentError('nvml', `${op}: NVML session is shut down`, 'NVML_CLOSED');
    const rc = await callAsync<number>(fn, ...args);
    if (rc !== 0) throw this.error(op, rc);
  }

  /** Like call(), but NOT_SUPPORTED (and friends) give undefined instead of an error. */
  private async optional<T>(op: string, fn: NativeFunction, read: () => T, ...args: unknown[]): Promise<T | undefined> {
    const rc = await callAsync<number>(fn, ...args);
    if (rc === 0) return read();
    if (rc === NOT_SUPPORTED || rc === FUNCTION_NOT_FOUND || rc === 4 /* NO_PERMISSION */) return undefined;
    throw this.error(op, rc);
  }

  driverVersion(): string | undefined {
    if (!this.a.driverVersion) return undefined;
    const buf = Buffer.alloc(NAME_BUF);
    return this.a.driverVersion(buf, buf.length) === 0 ? cString(buf) : undefined;
  }

  async deviceCount(): Promise<number> {
    const n = [0];
    await this.call('nvmlDeviceGetCount_v2', this.a.count, n);
    return n[0];
  }

  /** GPUs visible to this process (indices where NVML says NO_PERMISSION are skipped). */
  async devices(): Promise<GpuDevice[]> {
    return (await this.entries()).map(({ index, name, uuid }) => ({ index, name, uuid }));
  }

  private async entries(): Promise<DeviceEntry[]> {
    if (this.deviceList) return this.deviceList;
    const count = await this.deviceCount();
    const list: DeviceEntry[] = [];
    for (let index = 0; index < count; index++) {
      const h: unknown[] = [null];
      const rc = await callAsync<number>(this.a.handleByIndex, index, h);
      if (rc === 4 /* NO_PERMISSION */) continue;
      if (rc !== 0) throw this.error('nvmlDeviceGetHandleByIndex_v2', rc);
      const buf = Buffer.alloc(NAME_BUF);
      await this.call('nvmlDeviceGetName', this.a.name, h[0], buf, buf.length);
      const name = cString(buf);
      buf.fill(0);
      await this.call('nvmlDeviceGetUUID', this.a.uuid, h[0], buf, buf.length);
      list.push({ index, name, uuid: cString(buf), handle: h[0] });
    }
    this.deviceList = list;
    return list;
  }

  private async temperature(handle: unknown): Promise<number | undefined> {
    if (this.a.temperatureV) {
      const t = { version: TEMPERATURE_V1, sensorType: TEMPERATURE_GPU, temperature: 0 };
      const rc = await callAsync<number>(this.a.temperatureV, handle, t);
      if (rc === 0) return t.temperature;
      if (rc !== FUNCTION_NOT_FOUND && rc !== ARGUMENT_VERSION_MISMATCH && rc !== NOT_SUPPORTED) throw this.error('nvmlDeviceGetTemperatureV', rc);
      if (rc === NOT_SUPPORTED && !this.a.temperature) return undefined;
    }
    if (!this.a.temperature) return undefined;
    const out = [0];
    return this.optional('nvmlDeviceGetTemperature', this.a.temperature, () => out[0], handle, TEMPERATURE_GPU, out);
  }

  /**
   * Memory in use as nvidia-smi reports it: nvmlDeviceGetMemoryInfo_v2, whose `used` leaves out
   * what the driver reserves (on an idle H200 with driver 580, 0 MiB where the first version's
   * `used` says 615); the first version on drivers without it.
   */
  private async memory(handle: unknown): Promise<{ used: number | bigint; total: number | bigint } | undefined> {
    if (this.a.memoryV2) {
      const m = { version: MEMORY_V2, total: 0, reserved: 0, free: 0, used: 0 };
      const rc = await callAsync<number>(this.a.memoryV2, handle, m);
      if (rc === 0) return m;
      if (rc !== FUNCTION_NOT_FOUND && rc !== ARGUMENT_VERSION_MISMATCH && rc !== NOT_SUPPORTED) throw this.error('nvmlDeviceGetMemoryInfo_v2', rc);
    }
    const m: Record<string, number | bigint> = {};
    return this.optional('nvmlDeviceGetMemoryInfo', this.a.memory, () => ({ used: m.used!, total: m.total! }), handle, m);
  }

  /** Read every GPU once. */
  async sample(): Promise<GpuSample[]> {
    const out: GpuSample[] = [];
    for (const d of await this.entries()) out.push(await this.sampleDevice(d));
    return out;
  }

  /** Read one GPU (as listed by devices()). */
  async sampleDevice(device: GpuDevice): Promise<GpuSample> {
    const d = (await this.entries()).find((e) => e.uuid === device.uuid);
    if (!d) throw new ComponentError('nvml', `no GPU ${device.uuid}`, 'NVML_NO_SUCH_GPU');
    if (this.closed) throw new ComponentError('nvml', 'NVML session is shut down', 'NVML_CLOSED');
    const s: GpuSample = { index: d.index, name: d.name, uuid: d.uuid, timestampNs: nowNs() };
    const util: Record<string, number> = {};
    if ((await this.optional('nvmlDeviceGetUtilizationRates', this.a.utilization, () => true, d.handle, util)) !== undefined) {
      s.utilGpuPct = util.gpu;
      s.utilMemPct = util.memory;
    }
    const mem = await this.memory(d.handle);
    if (mem) {
      s.memUsedBytes = Number(mem.used);
      s.memTotalBytes = Number(mem.total);
    }
    const temp = await this.temperature(d.handle);
    if (temp !== undefined) s.temperatureC = temp;
    const mw = [0];
    const power = await this.optional('nvmlDeviceGetPowerUsage', this.a.power, () => mw[0] / 1000, d.handle, mw);
    if (power !== undefined) s.powerW = power;
    const sm = [0];
    const smClock = await this.optional('nvmlDeviceGetClockInfo', this.a.clock, () => sm[0], d.handle, CLOCK_SM, sm);
    if (smClock !== undefined) s.smClockMHz = smClock;
    const mc = [0];
    const memClock = await this.optional('nvmlDeviceGetClockInfo', this.a.clock, () => mc[0], d.handle, CLOCK_MEM, mc);
    if (memClock !== undefined) s.memClockMHz = memClock;
    return s;
  }

  /** nvmlShutdown (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const rc = await callAsync<number>(this.a.shutdown);
    if (rc !== 0) throw this.error('nvmlShutdown', rc);
  }
}

export interface NvmlOptions {
  /** Library file names to try (default libnvidia-ml.so.1, libnvidia-ml.so); tests pass others. */
  libraryCandidates?: readonly string[];
}

/**
 * Load NVML and nvmlInit_v2. Throws NativeUnavailableError('nvml') without the library,
 * NvmlError when the driver refuses (e.g. NVML_ERROR_DRIVER_NOT_LOADED).
 */
export async function openNvml(options: NvmlOptions = {}): Promise<Nvml> {
  const a = bind(options.libraryCandidates ?? NVML_LIBRARY_CANDIDATES);
  const rc = await callAsync<number>(a.init);
  if (rc !== 0) {
    let text = '';
    try {
      text = String(a.errorString(rc) ?? '');
    } catch {
      /* keep empty */
    }
    throw new NvmlError('nvmlInit_v2', rc, text);
  }
  return new Nvml(a);
}

/** Point fields of a sample, per the InfluxDB schema of measurement `gpu`. */
export function gpuFields(s: GpuSample): FieldSet {
  const f: FieldSet = {};
  const put = (k: keyof GpuSample & string, v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) f[k] = v;
  };
  put('utilGpuPct', s.utilGpuPct);
  put('utilMemPct', s.utilMemPct);
  put('memUsedBytes', s.memUsedBytes);
  put('memTotalBytes', s.memTotalBytes);
  put('temperatureC', s.temperatureC);
  put('powerW', s.powerW);
  put('smClockMHz', s.smClockMHz);
  put('memClockMHz', s.memClockMHz);
  return f;
}

export interface GpuSamplerOptions extends NvmlOptions {
  periodMs: number;
  sink: MeasurementSink;
  tags: { rig: string; trial: string; host: string };
  /** Logger (default: the ranlab logger, component `gpu`). */
  logger?: Pick<Logger, 'warn' | 'info'>;
}

export interface GpuSampler {
  /** False when NVML is missing or would not initialise; then it samples nothing. */
  readonly available: boolean;
  /** Why not available (the NativeUnavailableError / NvmlError message). */
  readonly reason?: string;
  /** GPUs being sampled. */
  readonly gpus: readonly GpuDevice[];
  /** Samples written so far (one per GPU per tick). */
  readonly samples: number;
  /** Stop sampling and shut NVML down (idempotent; waits for an in-flight sample). */
  stop(): Promise<void>;
}

let unavailableLogged = false;

/**
 * Sample every GPU each `periodMs` and write one Point per GPU (measurement `gpu`, tags rig,
 * trial, host, gpu = UUID). Without NVML: logs "NVML not available" once per process and
 * resolves to a sampler with `available` false. A GPU that fails mid-trial is logged once and
 * skipped; sampling goes on for the others.
 */
export async function startGpuSampler(options: GpuSamplerOptions): Promise<GpuSampler> {
  const logger = options.logger ?? childLog('gpu');
  const periodMs = options.periodMs;
  if (!Number.isFinite(periodMs) || periodMs < 10) throw new RangeError(`periodMs must be >= 10, got ${periodMs}`);
  let nvml: Nvml;
  let gpus: GpuDevice[];
  try {
    nvml = await openNvml(options);
    try {
      gpus = await nvml.devices();
    } catch (err) {
      await nvml.close().catch(() => undefined);
      throw err;
    }
  } catch (err) {
    if (!(err instanceof NativeUnavailableError) && !(err instanceof NvmlError)) throw err;
    const reason = messageOf(err);
    if (!unavailableLogged) {
      unavailableLogged = true;
      logger.warn({ reason }, 'NVML not available');
    }
    return { available: false, reason, gpus: [], samples: 0, stop: async () => undefined };
  }

  const failed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  let samples = 0;
  const start = performance.now();
  let tick = 0;

  const sampleOnce = async (): Promise<void> => {
    const points: Point[] = [];
    for (const d of gpus) {
      if (failed.has(d.uuid)) continue;
      try {
        const s = await nvml.sampleDevice(d);
        const fields = gpuFields(s);
        if (Object.keys(fields).length === 0) continue;
        points.push({
          measurement: 'gpu',
          tags: { rig: options.tags.rig, trial: options.tags.trial, host: options.tags.host, gpu: d.uuid },
          fields,
          timestampNs: s.timestampNs,
        });
      } catch (err) {
        if (stopped) return;
        failed.add(d.uuid);
        logger.warn({ gpu: d.uuid, err: messageOf(err) }, 'GPU sampling failed; skipping this GPU');
      }
    }
    if (points.length > 0 && !stopped) {
      samples += points.length;
      options.sink.write(points);
    }
  };

  const schedule = () => {
    if (stopped) return;
    tick++;
    const due = start + tick * periodMs;
    timer = setTimeout(run, Math.max(0, due - performance.now()));
  };
  const run = () => {
    timer = undefined;
    inFlight = sampleOnce().finally(() => {
      inFlight = undefined;
      schedule();
    });
  };
  logger.info({ gpus: gpus.map((g) => `${g.name} ${g.uuid}`), periodMs }, 'GPU sampler started');
  run();

  return {
    available: true,
    gpus,
    get samples() {
      return samples;
    },
    stop(): Promise<void> {
      if (!stopping) {
        stopped = true;
        if (timer) clearTimeout(timer);
        timer = undefined;
        stopping = (async () => {
          await inFlight?.catch(() => undefined);
          await nvml.close().catch(() => undefined);
        })();
      }
      return stopping;
    },
  };
}

/** @internal tests: forget that "NVML not available" was logged. */
export function _resetNvmlLogOnce(): void {
  unavailableLogged = false;
}
