#!/usr/bin/env node
// GPU machine check for native/nvml (run after `npm run build`, on a host with an NVIDIA driver):
//
//   node scripts/nvml-check.mjs [loadSeconds=6]
//
// Prints one JSON object: driver version, each GPU's name, UUID and total memory, an idle
// sample, samples taken while a simple load runs on GPU 0, the highest utilisation seen, and
// the `gpu` points that startGpuSampler wrote meanwhile. The load runs in a worker thread
// through the CUDA driver API (libcuda.so.1, via koffi): a small PTX kernel that spins on FMAs
// (JIT-compiled by the driver), or, if that fails, repeated cuMemsetD32 over 1 GiB.
// Without NVML it prints {"available": false, "reason": ...} and exits 0; errors land in JSON.
// RANLAB_NVML_LIB=/path/libnvidia-ml.so.1 overrides the library (checks against a stand-in).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';

const PTX = `
.version 7.0
.target sm_50
.address_size 64
.visible .entry ranlab_spin(.param .u64 out, .param .u32 iters)
{
  .reg .pred p<2>;
  .reg .f32 f<4>;
  .reg .b32 r<5>;
  .reg .b64 rd<4>;
  ld.param.u64 rd1, [out];
  ld.param.u32 r1, [iters];
  mov.f32 f1, 0f3F800000;
  mov.f32 f2, 0f3F000000;
  mov.u32 r2, 0;
LOOP:
  fma.rn.f32 f1, f1, f2, f2;
  add.u32 r2, r2, 1;
  setp.lt.u32 p1, r2, r1;
  @p1 bra LOOP;
  mov.u32 r3, %tid.x;
  mov.u32 r4, %ctaid.x;
  mad.lo.u32 r3, r4, 256, r3;
  mul.wide.u32 rd2, r3, 4;
  cvta.to.global.u64 rd3, rd1;
  add.u64 rd3, rd3, rd2;
  st.global.f32 [rd3], f1;
  ret;
}
`;

/** Worker: keep GPU 0 busy for `ms` through the CUDA driver API (sync calls, own thread). */
function runLoad(ms) {
  const koffi = createRequire(import.meta.url)('koffi');
  const cuda = koffi.load('libcuda.so.1');
  const f = (p) => cuda.func(p);
  const cuInit = f('int cuInit(uint flags)');
  const cuDeviceGet = f('int cuDeviceGet(_Out_ int *dev, int ordinal)');
  const cuRetain = f('int cuDevicePrimaryCtxRetain(_Out_ void **ctx, int dev)');
  const cuRelease = f('int cuDevicePrimaryCtxRelease_v2(int dev)');
  const cuSetCurrent = f('int cuCtxSetCurrent(void *ctx)');
  const cuSync = f('int cuCtxSynchronize()');
  const cuMemAlloc = f('int cuMemAlloc_v2(_Out_ uint64_t *dptr, size_t bytes)');
  const cuMemFree = f('int cuMemFree_v2(uint64_t dptr)');
  const cuMemset = f('int cuMemsetD32_v2(uint64_t dptr, uint value, size_t count)');
  const cuModuleLoadData = f('int cuModuleLoadData(_Out_ void **mod, const char *image)');
  const cuModuleGetFunction = f('int cuModuleGetFunction(_Out_ void **fn, void *mod, const char *name)');
  const cuModuleUnload = f('int cuModuleUnload(void *mod)');
  const cuLaunch = f('int cuLaunchKernel(void *f, uint gx, uint gy, uint gz, uint bx, uint by, uint bz, uint shmem, void *stream, void **params, void **extra)');
  const ok = (what, rc) => {
    if (rc !== 0) throw new Error(`${what} returned CUresult ${rc}`);
  };
  ok('cuInit', cuInit(0));
  const dev = [0];
  ok('cuDeviceGet', cuDeviceGet(dev, 0));
  const ctx = [null];
  ok('cuDevicePrimaryCtxRetain', cuRetain(ctx, dev[0]));
  ok('cuCtxSetCurrent', cuSetCurrent(ctx[0]));
  const bytes = 1 << 30;
  const dptr = [0n];
  ok('cuMemAlloc_v2', cuMemAlloc(dptr, bytes));
  let kind = 'ptx-fma-kernel';
  let launches = 0;
  let kernelError;
  const deadline = Date.now() + ms;
  try {
    try {
      const mod = [null];
      ok('cuModuleLoadData', cuModuleLoadData(mod, PTX));
      const fn = [null];
      ok('cuModuleGetFunction', cuModuleGetFunction(fn, mod[0], 'ranlab_spin'));
      const pOut = Buffer.alloc(8);
      pOut.writeBigUInt64LE(BigInt(dptr[0]));
      const pIters = Buffer.alloc(4);
      pIters.writeUInt32LE(200_000);
      while (Date.now() < deadline) {
        ok('cuLaunchKernel', cuLaunch(fn[0], 1024, 1, 1, 256, 1, 1, 0, null, [pOut, pIters], null));
        ok('cuCtxSynchronize', cuSync());
        launches++;
      }
      cuModuleUnload(mod[0]);
    } catch (err) {
      kernelError = String(err?.message ?? err);
      kind = 'cuMemsetD32';
      while (Date.now() < deadline) {
        ok('cuMemsetD32_v2', cuMemset(dptr[0], launches, bytes / 4));
        ok('cuCtxSynchronize', cuSync());
        launches++;
      }
    }
  } finally {
    cuMemFree(dptr[0]);
    cuRelease(dev[0]);
  }
  return { kind, launches, kernelError };
}

if (!isMainThread) {
  try {
    parentPort.postMessage({ ok: true, ...runLoad(workerData.ms) });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err?.message ?? err) });
  }
} else {
  const { openNvml, startGpuSampler } = await import('../dist/native/index.js');
  const loadSeconds = Number(process.argv[2] ?? 6);
  const libraryCandidates = process.env.RANLAB_NVML_LIB ? [process.env.RANLAB_NVML_LIB] : undefined;
  const out = { available: false };
  const print = () => console.log(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
  let nvml;
  try {
    nvml = await openNvml({ libraryCandidates });
  } catch (err) {
    out.reason = err.message;
    out.code = err.code;
    print();
    process.exit(0);
  }
  try {
    out.available = true;
    out.driverVersion = nvml.driverVersion();
    const idle = await nvml.sample();
    out.gpus = idle.map((s) => ({ index: s.index, name: s.name, uuid: s.uuid, memTotalBytes: s.memTotalBytes }));
    out.idle = idle;

    const points = [];
    const sink = { write: (p) => points.push(...p), flush: async () => {}, close: async () => {} };
    const sampler = await startGpuSampler({ periodMs: 250, sink, tags: { rig: 'nvml-check', trial: 'check', host: 'gpu-host' }, libraryCandidates });

    const worker = new Worker(new URL(import.meta.url), { workerData: { ms: loadSeconds * 1000 } });
    const loadDone = new Promise((resolve) => {
      worker.once('message', resolve);
      worker.once('error', (err) => resolve({ ok: false, error: String(err?.message ?? err) }));
    });
    const underLoad = [];
    const t0 = Date.now();
    let finished = false;
    loadDone.then(() => (finished = true));
    while (!finished && Date.now() - t0 < loadSeconds * 1000 + 5000) {
      await new Promise((r) => setTimeout(r, 500));
      const s = (await nvml.sample())[0];
      if (s) underLoad.push({ tMs: Date.now() - t0, utilGpuPct: s.utilGpuPct, utilMemPct: s.utilMemPct, memUsedBytes: s.memUsedBytes, temperatureC: s.temperatureC, powerW: s.powerW, smClockMHz: s.smClockMHz });
    }
    out.load = await loadDone;
    await worker.terminate();
    await sampler.stop();
    out.underLoad = underLoad;
    out.maxUtilGpuPct = Math.max(0, ...underLoad.map((s) => s.utilGpuPct ?? 0));
    out.sampler = { available: sampler.available, points: points.length, first: points[0], last: points[points.length - 1] };
    out.pass = out.gpus.length > 0 && out.gpus.every((g) => g.memTotalBytes > 0) && points.length > 0 && (out.load.ok ? out.maxUtilGpuPct > 0 : true);
  } catch (err) {
    out.error = String(err?.stack ?? err);
  } finally {
    await nvml.close().catch(() => undefined);
  }
  print();
}
