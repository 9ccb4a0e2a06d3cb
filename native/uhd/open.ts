// Finding and opening USRPs, and UHD's version: the calls that report through UHD's global
// last-error string, so each holds the process's UHD lock exclusively from the C call to the
// read of its message (lock.ts). find and make run on a koffi worker thread.
//
// Timing with no USRP attached (2-core machine, libuhd 4.3.0, 10,000 cycles): find('type=b200')
// mean 23 ms (p50 3 ms, p99 134 ms), a failing open('type=b200') mean 25 ms (p50 3 ms, p99
// 135 ms): UHD's libusb session joins an event thread that polls with a 100 ms timeout when
// the session ends. RSS stays flat (67 -> 70.5 MiB over 10,000 cycles; flat with GC forced).
import { callAsync, cString, type NativeFunction } from '../lib.js';
import { checkArgs, parseDeviceAddress, type UhdCallOptions } from './address.js';
import { freeStringVector, globalLastError, makeStringVector, readStringVector, STR_BUF, uhd, type UhdApi } from './api.js';
import { UhdError } from './errors.js';
import { uhdCallLock } from './lock.js';
import { Usrp } from './usrp.js';

/** Call a UHD function that reports through the global last error. Hold the lock exclusively. */
async function callGlobal(a: UhdApi, component: string, op: string, fn: NativeFunction, ...args: unknown[]): Promise<void> {
  const rc = await callAsync<number>(fn, ...args);
  if (rc !== 0) throw new UhdError(component, op, rc, globalLastError(a));
}

/** Whether libuhd can be loaded here (never throws; calls nothing in UHD). */
export function uhdAvailable(): boolean {
  try {
    uhd();
    return true;
  } catch {
    return false;
  }
}

/** UHD's version string, e.g. `4.3.0.0+ds1-5`. Rejects with NativeUnavailableError without libuhd. */
export async function uhdVersion(): Promise<string> {
  const a = uhd();
  return uhdCallLock().run('exclusive', () => {
    const buf = Buffer.alloc(STR_BUF);
    a.getVersion(buf, buf.length);
    return cString(buf);
  });
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
  return uhdCallLock().run('exclusive', async () => {
    const vec = makeStringVector(a, component);
    try {
      await callGlobal(a, component, 'uhd_usrp_find', a.find, args, vec);
      return readStringVector(a, vec[0]).map(parseDeviceAddress);
    } finally {
      freeStringVector(a, vec);
    }
  });
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
  const ref: unknown[] = [null];
  await uhdCallLock().run('exclusive', async () => {
    try {
      await callGlobal(a, component, 'uhd_usrp_make', a.make, ref, args);
    } catch (err) {
      if (ref[0]) await callAsync(a.free, ref); // UHD leaves it NULL on failure; free defensively if not
      throw err;
    }
    if (!ref[0]) throw new UhdError(component, 'uhd_usrp_make', 100, 'returned no handle');
  });
  return new Usrp(a, ref, args, parseDeviceAddress(args), component);
}
