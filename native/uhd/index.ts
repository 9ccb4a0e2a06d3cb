// USRP radios through UHD's C API (libuhd 4.x, `uhd.h`), bound with koffi.
//
// - Every UHD call that can block (find, make, free, tuning, gain, rate, sensors) runs on a
//   koffi worker thread (`fn.async`), so the event loop stays free.
// - Every failure is a UhdError carrying UHD's error code name (`KEY`, `RUNTIME`, ...) and UHD's
//   own message: the global last error for find/make/free, the handle's for a device call.
// - UHD rewrites its one process-wide last-error string on every call, so every call goes
//   through one process-wide lock (lock.ts): find/make/free alone, device calls beside each
//   other but never beside those; calls on one device run in order.
// - String vectors, sensor values and EEPROM handles are freed in `finally`; a Usrp is freed by
//   close() (idempotent) or, if it is dropped without close(), by a FinalizationRegistry.
export { parseDeviceAddress, type UhdCallOptions } from './address.js';
export { UhdError, UHD_ERROR_NAMES } from './errors.js';
export { findUsrps, openUsrp, uhdAvailable, uhdVersion } from './open.js';
export { type UhdSensor, type UhdSensorType } from './sensor.js';
export { _uhdTesting } from './testing.js';
export { type TuneOptions, type TuneResult } from './tune.js';
export { Usrp } from './usrp.js';
