// native/lib.ts: lazy, cached loading through koffi; absent libraries and symbols are typed.
import { describe, expect, it } from 'vitest';
import { NativeUnavailableError } from '../harness/errors.js';
import { callAsync, loadLibrary, tryLoadLibrary } from '../native/lib.js';

describe('loadLibrary', () => {
  it('an absent library is a NativeUnavailableError naming every candidate, not a crash', () => {
    let err: unknown;
    try {
      loadLibrary('bogus', ['libranlab-bogus.so.9', 'libranlab-bogus.so']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NativeUnavailableError);
    const e = err as NativeUnavailableError;
    expect(e.code).toBe('NATIVE_UNAVAILABLE');
    expect(e.component).toBe('bogus');
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain('libranlab-bogus.so.9');
    expect(e.message).toContain('libranlab-bogus.so:');
    // cached: the same error object, no second dlopen attempt
    let again: unknown;
    try {
      loadLibrary('bogus', ['libranlab-bogus.so.9', 'libranlab-bogus.so']);
    } catch (e2) {
      again = e2;
    }
    expect(again).toBe(err);
    expect(tryLoadLibrary('bogus', ['libranlab-bogus.so.9'])).toBeUndefined();
  });

  it('loads the first candidate that exists, once', () => {
    const a = loadLibrary('libc', ['libranlab-nope.so.1', 'libc.so.6']);
    expect(a.path).toBe('libc.so.6');
    expect(loadLibrary('libc', ['libranlab-nope.so.1', 'libc.so.6'])).toBe(a);
  });

  it('a probe symbol the candidate lacks moves on to the next one', () => {
    expect(() => loadLibrary('probe', ['libc.so.6'], 'ranlab_no_such_symbol')).toThrow(NativeUnavailableError);
    expect(loadLibrary('probe2', ['libc.so.6'], 'strlen').path).toBe('libc.so.6');
  });

  it('optional symbols are undefined when missing; required ones are NativeUnavailableError', () => {
    const libc = loadLibrary('libc', ['libc.so.6']);
    expect(libc.optionalFn('int ranlab_missing_fn(int x)')).toBeUndefined();
    expect(() => libc.fn('int ranlab_missing_fn(int x)')).toThrow(/symbol missing/);
    expect(libc.fn('int abs(int x)')(-5)).toBe(5);
    expect(libc.has('strlen')).toBe(true);
    expect(libc.has('ranlab_missing_fn')).toBe(false);
  });

  it('callAsync runs on a worker thread and resolves with the result', async () => {
    const libc = loadLibrary('libc', ['libc.so.6']);
    const usleep = libc.fn('int usleep(uint us)');
    let ticks = 0;
    const t = setInterval(() => ticks++, 5);
    const rc = await callAsync<number>(usleep, 100_000);
    clearInterval(t);
    expect(rc).toBe(0);
    expect(ticks).toBeGreaterThanOrEqual(5); // the event loop ran while usleep blocked
  });
});
