// Public surface of native/: bindings to C libraries through koffi (FFI).
// Each library loads lazily on first use; an absent library is a NativeUnavailableError
// (code NATIVE_UNAVAILABLE, exit code 3) for the feature that needs it, never a crash at import.
//
//   pty  — openPty(): a real pseudo-terminal pair (twin modems sit on the master side)
//   uhd  — USRP radios through UHD's C API: findUsrps, openUsrp -> Usrp, UhdError
//   nvml — NVIDIA GPUs: openNvml -> Nvml, startGpuSampler (measurement `gpu`), NvmlError
export { openPty, Pty, type PtyOptions } from './pty.js';
export {
  findUsrps,
  openUsrp,
  parseDeviceAddress,
  uhdAvailable,
  uhdVersion,
  Usrp,
  UhdError,
  UHD_ERROR_NAMES,
  type TuneOptions,
  type TuneResult,
  type UhdCallOptions,
  type UhdSensor,
  type UhdSensorType,
} from './uhd/index.js';
export {
  gpuFields,
  Nvml,
  NvmlError,
  nvmlAvailable,
  NVML_LIBRARY_CANDIDATES,
  NVML_RETURN_NAMES,
  openNvml,
  startGpuSampler,
  type GpuDevice,
  type GpuSample,
  type GpuSampler,
  type GpuSamplerOptions,
  type NvmlOptions,
} from './nvml.js';
export { callAsync, loadLibrary, NativeLibrary, tryLoadLibrary, type NativeFunction } from './lib.js';
