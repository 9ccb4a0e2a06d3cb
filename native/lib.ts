// Shared loading of C libraries through koffi (FFI).
//
// - koffi itself is loaded lazily (createRequire), so importing native/ never fails even where
//   koffi's prebuilt binary is missing; that case becomes a NativeUnavailableError('koffi').
// - A library is loaded once per (name, candidates) and cached, the failure as well: an absent
//   library costs one dlopen attempt per candidate, then a typed error on every use.
// - Required symbols: `fn(proto)` throws NativeUnavailableError when missing.
//   Optional symbols: `optionalFn(proto)` returns undefined when missing.
import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';
import { NativeUnavailableError, messageOf } from '../harness/errors.js';

export type Koffi = typeof KoffiModule;
export type LibraryHandle = KoffiModule.LibraryHandle;
/**
 * A bound C function: call it synchronously, or `.async(...args, cb)` on a worker thread.
 * koffi's own type: its arguments and result are whatever the C prototype string says.
 */
export type NativeFunction = ReturnType<LibraryHandle['func']>;

let koffiCache: Koffi | NativeUnavailableError | undefined;

/** The koffi module, loaded on first use. Throws NativeUnavailableError('koffi') when it cannot load. */
export function koffi(): Koffi {
  if (koffiCache === undefined) {
    try {
      const require = createRequire(import.meta.url);
      koffiCache = require('koffi') as Koffi;
    } catch (err) {
      koffiCache = new NativeUnavailableError('koffi', messageOf(err), { cause: err });
    }
  }
  if (koffiCache instanceof NativeUnavailableError) throw koffiCache;
  return koffiCache;
}

export class NativeLibrary {
  private readonly fns = new Map<string, NativeFunction | null>();
  constructor(
    /** Short name used in errors and logs (`libuhd`, `nvml`, `libc`). */
    readonly library: string,
    /** The candidate file name that loaded. */
    readonly path: string,
    readonly handle: LibraryHandle,
  ) {}

  /** A required function, from a koffi prototype string (`int f(int x)`). Cached by prototype. */
  fn(proto: string): NativeFunction {
    const f = this.optionalFn(proto);
    if (!f) throw new NativeUnavailableError(this.library, `symbol missing in ${this.path}: ${proto}`);
    return f;
  }

  /** An optional function: undefined when the library lacks the symbol (older versions). */
  optionalFn(proto: string): NativeFunction | undefined {
    let f = this.fns.get(proto);
    if (f === undefined) {
      try {
        f = this.handle.func(proto) as NativeFunction;
      } catch {
        f = null;
      }
      this.fns.set(proto, f);
    }
    return f ?? undefined;
  }

  /** Whether the library exports `symbol` (no prototype needed). */
  has(symbol: string): boolean {
    try {
      return this.handle.symbol(symbol) !== undefined;
    } catch {
      return false;
    }
  }
}

const libCache = new Map<string, NativeLibrary | NativeUnavailableError>();

/**
 * Load a shared library by the first candidate file name that dlopen accepts, once.
 * Throws NativeUnavailableError(library, detail) when none loads (detail lists every attempt).
 * `probe`, when given, is a symbol the library must export for a candidate to count
 * (e.g. `openpty` in libc.so.6 only from glibc 2.34).
 */
export function loadLibrary(library: string, candidates: readonly string[], probe?: string): NativeLibrary {
  const key = `${library}\0${candidates.join('\0')}\0${probe ?? ''}`;
  const cached = libCache.get(key);
  if (cached instanceof NativeLibrary) return cached;
  if (cached) throw cached;
  let result: NativeLibrary | NativeUnavailableError;
  try {
    const k = koffi();
    const failures: string[] = [];
    result = new NativeUnavailableError(library, 'no candidate names');
    for (const name of candidates) {
      let handle: LibraryHandle;
      try {
        handle = k.load(name);
      } catch (err) {
        failures.push(`${name}: ${messageOf(err)}`);
        continue;
      }
      const lib = new NativeLibrary(library, name, handle);
      if (probe && !lib.has(probe)) {
        failures.push(`${name}: no symbol ${probe}`);
        continue;
      }
      result = lib;
      break;
    }
    if (!(result instanceof NativeLibrary) && failures.length > 0) {
      result = new NativeUnavailableError(library, failures.join('; '));
    }
  } catch (err) {
    result = err instanceof NativeUnavailableError ? err : new NativeUnavailableError(library, messageOf(err), { cause: err });
  }
  libCache.set(key, result);
  if (result instanceof NativeUnavailableError) throw result;
  return result;
}

/** Like loadLibrary, but undefined instead of an error. */
export function tryLoadLibrary(library: string, candidates: readonly string[], probe?: string): NativeLibrary | undefined {
  try {
    return loadLibrary(library, candidates, probe);
  } catch (err) {
    if (err instanceof NativeUnavailableError) return undefined;
    throw err;
  }
}

/** Call a bound C function on koffi's worker thread; the event loop stays free while it runs. */
export function callAsync<T = unknown>(fn: NativeFunction, ...args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn.async(...args, (err: unknown, result: T) => (err ? reject(err) : resolve(result)));
  });
}

/** A NUL-terminated C string out of a char buffer (latin1-safe; UHD and NVML write ASCII/UTF-8). */
export function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}
