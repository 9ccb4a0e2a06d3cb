// NVML: there is no GPU (and no libnvidia-ml) here or in CI. Two kinds of checks:
// - the absent library, as on this machine: typed error, sampler unavailable, logged once;
// - the sampler against a stand-in libnvidia-ml built here from C with NVML's real ABI (the
//   nvml.h prototypes, structs and return codes), when a C compiler exists. It stands in only
//   for the GPU; the koffi binding, struct layouts and the sampler are the real code.
import { afterAll, describe, expect, it } from 'vitest';
import { NativeUnavailableError } from '../harness/errors.js';
import type { MeasurementSink, Point } from '../harness/measure/types.js';
import { koffi } from '../native/lib.js';
import { _resetNvmlLogOnce, NvmlError, nvmlAvailable, openNvml, startGpuSampler } from '../native/nvml.js';
import { buildSharedLibrary, hasCc, standinDir } from './helpers/cc.js';

const ABSENT = ['libnvidia-ml-ranlab-absent.so.1'];
const tags = { rig: 'twin', trial: 't-1', host: 'edge-a' };

class MemorySink implements MeasurementSink {
  points: Point[] = [];
  write(points: Point[]): void {
    this.points.push(...points);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

function spyLogger() {
  const warns: { obj: unknown; msg: string }[] = [];
  return {
    warns,
    logger: {
      warn: (obj: unknown, msg?: string) => void warns.push({ obj, msg: msg ?? '' }),
      info: () => undefined,
    } as never,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('NVML absent', () => {
  it('openNvml gives NativeUnavailableError (typed, stable code), never a crash', async () => {
    const err = await openNvml({ libraryCandidates: ABSENT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NativeUnavailableError);
    expect((err as NativeUnavailableError).code).toBe('NATIVE_UNAVAILABLE');
    expect((err as NativeUnavailableError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/nvml not available.*libnvidia-ml-ranlab-absent/);
    expect(nvmlAvailable(ABSENT)).toBe(false);
  });

  it('the sampler says "NVML not available" exactly once, does not throw, writes nothing, stops', async () => {
    _resetNvmlLogOnce();
    const { warns, logger } = spyLogger();
    const sink = new MemorySink();
    const a = await startGpuSampler({ periodMs: 20, sink, tags, logger, libraryCandidates: ABSENT });
    const b = await startGpuSampler({ periodMs: 20, sink, tags, logger, libraryCandidates: ABSENT });
    expect(a.available).toBe(false);
    expect(b.available).toBe(false);
    expect(a.reason).toMatch(/not available/);
    expect(a.gpus).toEqual([]);
    await sleep(80);
    await a.stop();
    await a.stop();
    await b.stop();
    expect(sink.points).toEqual([]);
    expect(warns.filter((w) => w.msg === 'NVML not available')).toHaveLength(1);
  });

  // On a machine with NVIDIA drivers the default names load, so there is no absence to test.
  it.skipIf(nvmlAvailable())('with the default library names on a machine without NVIDIA drivers', async () => {
    const sink = new MemorySink();
    const s = await startGpuSampler({ periodMs: 50, sink, tags, logger: spyLogger().logger });
    expect(s.available).toBe(false);
    await s.stop();
  });

  it('rejects a nonsensical period', async () => {
    await expect(startGpuSampler({ periodMs: 0, sink: new MemorySink(), tags, libraryCandidates: ABSENT })).rejects.toThrow(RangeError);
  });
});

// A stand-in libnvidia-ml with NVML's C ABI. Two GPUs; GPU 1 has no power sensor (NOT_SUPPORTED);
// WITH_TEMPERATURE_V decides whether nvmlDeviceGetTemperatureV exists (NVML >= 12) or not.
const FAKE_NVML_C = String.raw`
#include <string.h>
typedef struct dev { int index; } *nvmlDevice_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned int version; int sensorType; int temperature; } nvmlTemperature_v1_t;
static struct dev devs[2] = { {0}, {1} };
static int inits = 0, samples = 0;
int fake_init_count(void) { return inits; }
int fake_sample_count(void) { return samples; }
int nvmlInit_v2(void) {
#ifdef FAIL_INIT
  return 9;
#endif
  inits++; return 0;
}
int nvmlShutdown(void) { if (inits == 0) return 1; inits--; return 0; }
const char *nvmlErrorString(int r) {
  switch (r) { case 0: return "Success"; case 1: return "Uninitialized"; case 3: return "Not Supported";
  case 9: return "Driver Not Loaded"; case 15: return "GPU is lost"; default: return "Unknown Error"; }
}
int nvmlSystemGetDriverVersion(char *b, unsigned int n) { strncpy(b, "580.65.06", n); return 0; }
int nvmlDeviceGetCount_v2(unsigned int *n) { if (!inits) return 1; *n = 2; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d) { if (!inits) return 1; if (i > 1) return 2; *d = &devs[i]; return 0; }
int nvmlDeviceGetName(nvmlDevice_t d, char *b, unsigned int n) { strncpy(b, d->index ? "NVIDIA L4" : "NVIDIA H100 80GB HBM3", n); return 0; }
int nvmlDeviceGetUUID(nvmlDevice_t d, char *b, unsigned int n) {
  strncpy(b, d->index ? "GPU-11111111-2222-3333-4444-555555555555" : "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", n); return 0; }
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) { if (!inits) return 1; samples++; u->gpu = d->index ? 5 : 37; u->memory = d->index ? 1 : 12; return 0; }
// The first version's used counts the driver's reservation (512 MiB here), as on a real driver.
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  m->total = d->index ? 24ULL << 30 : 80ULL << 30; m->used = d->index ? 512ULL << 20 : 6ULL << 30; m->free = m->total - m->used; return 0; }
#ifdef WITH_MEMORY_V2
int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, nvmlMemory_v2_t *m) {
  if (m->version != (40u | (2u << 24))) return 25;
  m->total = d->index ? 24ULL << 30 : 80ULL << 30; m->reserved = 512ULL << 20;
  m->used = (d->index ? 512ULL << 20 : 6ULL << 30) - m->reserved; m->free = m->total - m->reserved - m->used; return 0; }
#endif
#ifdef WITH_TEMPERATURE_V
int nvmlDeviceGetTemperatureV(nvmlDevice_t d, nvmlTemperature_v1_t *t) {
  if (t->version != (12u | (1u << 24)) || t->sensorType != 0) return 25; t->temperature = d->index ? 41 : 55; return 0; }
#endif
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t) { if (sensor != 0) return 2; *t = d->index ? 40 : 54; return 0; }
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) { if (d->index) return 3; *mw = 123456; return 0; }
int nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) {
  if (type == 1) *mhz = d->index ? 2040 : 1980; else if (type == 2) *mhz = d->index ? 6251 : 2619; else return 2; return 0; }
`;

const scratch = standinDir('ranlab-fake-nvml-');
afterAll(() => scratch.remove());
const buildFake = (name: string, defines: string[]) => buildSharedLibrary(scratch.dir, name, FAKE_NVML_C, defines);

// Without a C compiler the stand-in library cannot be built (CI has gcc).
describe.skipIf(!hasCc())('GPU sampler against a stand-in libnvidia-ml (NVML C ABI)', () => {
  it('streams one gpu point per GPU per period, with the schema tags and fields', async () => {
    const lib = buildFake('libnvidia-ml-v.so.1', ['WITH_TEMPERATURE_V', 'WITH_MEMORY_V2']);
    const sink = new MemorySink();
    const s = await startGpuSampler({ periodMs: 50, sink, tags, libraryCandidates: [lib], logger: spyLogger().logger });
    expect(s.available).toBe(true);
    expect(s.gpus.map((g) => g.name)).toEqual(['NVIDIA H100 80GB HBM3', 'NVIDIA L4']);
    await sleep(530);
    await s.stop();
    const n = sink.points.length;
    await sleep(120);
    expect(sink.points.length).toBe(n); // nothing after stop()
    // ticks at 0, 50, ..., 500 ms: about 11 per GPU
    const perGpu = n / 2;
    expect(perGpu).toBeGreaterThanOrEqual(8);
    expect(perGpu).toBeLessThanOrEqual(12);
    const h100 = sink.points.find((p) => p.tags.gpu === 'GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')!;
    expect(h100.measurement).toBe('gpu');
    expect(h100.tags).toEqual({ ...tags, gpu: 'GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' });
    expect(h100.fields).toEqual({
      utilGpuPct: 37,
      utilMemPct: 12,
      memUsedBytes: 6 * 2 ** 30 - 512 * 2 ** 20, // nvmlDeviceGetMemoryInfo_v2: without the reservation, as nvidia-smi says
      memTotalBytes: 80 * 2 ** 30,
      temperatureC: 55, // from nvmlDeviceGetTemperatureV
      powerW: 123.456,
      smClockMHz: 1980,
      memClockMHz: 2619,
    });
    expect(typeof h100.timestampNs).toBe('bigint');
    const l4 = sink.points.find((p) => p.tags.gpu === 'GPU-11111111-2222-3333-4444-555555555555')!;
    expect(l4.fields.powerW).toBeUndefined(); // NOT_SUPPORTED: field left out, not zero
    expect(l4.fields.temperatureC).toBe(41);
    // timestamps advance by about the period
    const ts = sink.points.filter((p) => p.tags.gpu === h100.tags.gpu).map((p) => Number(p.timestampNs / 1_000_000n));
    for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeGreaterThan(25);
    // NVML shut down: init count back to 0
    const fake = koffi().load(lib);
    expect(fake.func('int fake_init_count()')()).toBe(0);
  });

  it('falls back to nvmlDeviceGetTemperature and nvmlDeviceGetMemoryInfo on drivers without their newer versions', async () => {
    const lib = buildFake('libnvidia-ml-old.so.1', []);
    const nvml = await openNvml({ libraryCandidates: [lib] });
    try {
      expect(nvml.driverVersion()).toBe('580.65.06');
      expect(await nvml.deviceCount()).toBe(2);
      const [a, b] = await nvml.sample();
      expect(a.temperatureC).toBe(54);
      expect(b.temperatureC).toBe(40);
      expect(a.memUsedBytes).toBe(6 * 2 ** 30); // no nvmlDeviceGetMemoryInfo_v2: the first version
      expect(a.powerW).toBe(123.456);
    } finally {
      await nvml.close();
      await nvml.close();
    }
  });

  it('an NVML that will not initialise gives NvmlError with nvmlErrorString text; the sampler is unavailable', async () => {
    const lib = buildFake('libnvidia-ml-noinit.so.1', ['FAIL_INIT']);
    const err = await openNvml({ libraryCandidates: [lib] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NvmlError);
    expect((err as NvmlError).code).toBe('NVML_ERROR_DRIVER_NOT_LOADED');
    expect((err as NvmlError).nvmlReturn).toBe(9);
    expect((err as NvmlError).message).toContain('Driver Not Loaded');
    _resetNvmlLogOnce();
    const { warns, logger } = spyLogger();
    const s = await startGpuSampler({ periodMs: 20, sink: new MemorySink(), tags, libraryCandidates: [lib], logger });
    expect(s.available).toBe(false);
    expect(s.reason).toContain('Driver Not Loaded');
    expect(warns.map((w) => w.msg)).toEqual(['NVML not available']);
    await s.stop();
  });
});
