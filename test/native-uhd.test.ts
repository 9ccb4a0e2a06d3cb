// UHD through its C API, calling the real libuhd (Debian libuhd4.3.0) with no USRP attached.
// Filters always carry a `type=` hint: an empty filter would broadcast on every interface.
import { describe, expect, it, vi } from 'vitest';
import { ComponentError } from '../harness/errors.js';
import { _uhdTesting, findUsrps, openUsrp, parseDeviceAddress, UhdError, uhdAvailable, uhdVersion } from '../native/uhd/index.js';

// Leak-check sizes. The USB path (type=b200) costs ~24 ms per UHD call on average here (UHD's
// libusb session joins a thread that polls with a 100 ms timeout), so 10,000 cycles took 480 s:
// CI runs the fast path (a device type no driver claims) 10,000 times and the USB path
// RANLAB_UHD_USB_CYCLES times; bench/uhd-find.bench.mjs runs 10,000 USB cycles.
const FAST_CYCLES = Number(process.env.RANLAB_UHD_CYCLES ?? 10_000);
const USB_CYCLES = Number(process.env.RANLAB_UHD_USB_CYCLES ?? 200);
const MB = 1024 * 1024;

async function failOpen(args: string): Promise<UhdError> {
  try {
    const u = await openUsrp(args);
    await u.close();
  } catch (err) {
    return err as UhdError;
  }
  throw new Error(`openUsrp(${args}) unexpectedly succeeded`);
}

describe.skipIf(!uhdAvailable())('UHD C API (real libuhd, no USRP attached)', () => {
  it('reports its version', async () => {
    expect(await uhdVersion()).toMatch(/^4\.\d+\.\d+/);
  });

  it('tune structs have the C layout (48 and 40 bytes)', () => {
    expect(_uhdTesting.structSizes()).toEqual({ tuneRequest: 48, tuneResult: 40 });
  });

  it('findUsrps(type=b200) resolves to [] with no device', async () => {
    const t0 = performance.now();
    expect(await findUsrps('type=b200')).toEqual([]);
    expect(await findUsrps('type=b200,serial=30AD2D4')).toEqual([]);
    console.log(`findUsrps(type=b200) x2: ${(performance.now() - t0).toFixed(1)} ms`);
  });

  it('openUsrp(type=b200) rejects with a UhdError carrying UHD_ERROR_KEY and UHD\'s message', async () => {
    const t0 = performance.now();
    const err = await failOpen('type=b200');
    console.log(`openUsrp(type=b200) failure: ${(performance.now() - t0).toFixed(1)} ms`);
    expect(err).toBeInstanceOf(UhdError);
    expect(err).toBeInstanceOf(ComponentError);
    expect(err.code).toBe('UHD_ERROR_KEY');
    expect(err.uhdError).toBe('KEY');
    expect(err.uhdErrno).toBe(11);
    expect(err.op).toBe('uhd_usrp_make');
    expect(err.exitCode).toBe(3);
    expect(err.uhdMessage).toContain('No devices found');
    expect(err.uhdMessage).toContain('type: b200');
    expect(err.message).toContain('No devices found');
  });

  it('the args filter reaches UHD (serial shows in its message); a component name shows in errors', async () => {
    const err = (await openUsrp('type=b200,serial=30AD2D4', { component: 'gnb-a' }).catch((e: unknown) => e)) as UhdError;
    expect(err).toBeInstanceOf(UhdError);
    expect(err.uhdMessage).toContain('serial: 30AD2D4');
    expect(err.component).toBe('gnb-a');
    expect(err.message).toMatch(/^gnb-a: uhd_usrp_make failed: UHD_ERROR_KEY/);
  });

  it('concurrent find/open calls each get their own result and message', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) =>
      i % 2 ? findUsrps(`type=b200,serial=S${i}`) : failOpen(`type=b200,serial=S${i}`),
    );
    const results = await Promise.all(jobs);
    results.forEach((r, i) => {
      if (i % 2) expect(r).toEqual([]);
      else expect((r as UhdError).uhdMessage).toContain(`serial: S${i}`);
    });
  });

  // UHD rewrites one process-wide last-error string on every C call ("None" on success). Before
  // the process-wide lock, a failing make read "None" whenever another UHD call ran between
  // the failure and the read: a second copy of this module (dist/ beside source), a version
  // or sensor call, a device call. Here: 20 failing opens, each its own serial, while a second
  // module copy runs 20 finds and this one reads the version and makes sensor values.
  it('20 concurrent failing opens each carry UHD\'s own message while other UHD calls run', async () => {
    vi.resetModules();
    const other = await import('../native/uhd/index.js');
    const N = 20;
    let opening = true;
    const chatter = (async () => {
      let calls = 0;
      while (opening) {
        await Promise.all([uhdVersion(), _uhdTesting.emptySensor(), new Promise((r) => setImmediate(r))]);
        calls++;
      }
      return calls;
    })();
    const finds = Array.from({ length: N }, (_, i) => other.findUsrps(`type=b200,serial=F${i}`));
    const opens = Array.from({ length: N }, (_, i) => failOpen(`type=b200,serial=S${i}`));
    const errors = await Promise.all(opens);
    opening = false;
    const chatterCalls = await chatter;
    expect(await Promise.all(finds)).toEqual(Array.from({ length: N }, () => []));
    const wrong = errors.filter((e, i) => !e.uhdMessage.includes('No devices found') || !e.uhdMessage.includes(`serial: S${i}`));
    console.log(`UHD last-error race: ${wrong.length} of ${N} failing opens lost their message (${chatterCalls} rounds of version+sensor calls, ${N} finds beside)`);
    expect(wrong.map((e) => e.uhdMessage)).toEqual([]);
    errors.forEach((e) => expect(e.code).toBe('UHD_ERROR_KEY'));
  });

  it('the event loop keeps running while UHD works (async calls)', async () => {
    let ticks = 0;
    const t = setInterval(() => ticks++, 2);
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await failOpen('type=b200');
    const ms = performance.now() - t0;
    clearInterval(t);
    // with a blocked loop there would be ~1 tick per call; expect a good share of ms/2
    expect(ticks).toBeGreaterThan(Math.min(10, ms / 8));
  });

  it('bad args are rejected before reaching C', async () => {
    await expect(findUsrps('type=b200\0x')).rejects.toThrow(TypeError);
    await expect(openUsrp(42 as unknown as string)).rejects.toThrow(TypeError);
  });

  it('sensor values decode through the real libuhd and their handles are freed', async () => {
    expect(await _uhdTesting.sensorRoundTrip('bool', 'ref_locked', true, 'locked', 'unlocked')).toEqual({
      name: 'ref_locked',
      type: 'boolean',
      value: true,
      raw: 'true',
      unit: 'locked',
    });
    expect(await _uhdTesting.sensorRoundTrip('bool', 'gps_locked', false, 'locked', 'unlocked')).toMatchObject({ value: false, unit: 'unlocked' });
    expect(await _uhdTesting.sensorRoundTrip('realnum', 'temp', 41.5, 'C', '%f')).toMatchObject({ type: 'realnum', value: 41.5, unit: 'C' });
    expect(await _uhdTesting.emptySensor()).toMatchObject({ type: 'boolean', value: false });
  });

  it(`resident memory stays flat over ${FAST_CYCLES} find/open-failure cycles (+${USB_CYCLES} on the USB path)`, async () => {
    const cycle = async (args: string) => {
      expect(await findUsrps(args)).toEqual([]);
      const err = await failOpen(args);
      if (err.uhdError !== 'KEY') throw err;
      await _uhdTesting.emptySensor();
    };
    const args = 'type=ranlab-none';
    for (let i = 0; i < 300; i++) await cycle(args); // warm-up: allocator pools, JIT, koffi pools
    for (let i = 0; i < 20; i++) await cycle('type=b200');
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let t0 = performance.now();
    for (let i = 0; i < FAST_CYCLES; i++) await cycle(args);
    const fastMs = performance.now() - t0;
    const rss1 = process.memoryUsage().rss;
    t0 = performance.now();
    for (let i = 0; i < USB_CYCLES; i++) await cycle('type=b200');
    const usbMs = performance.now() - t0;
    global.gc?.();
    const rss2 = process.memoryUsage().rss;
    console.log(
      `UHD leak check: ${FAST_CYCLES} fast cycles in ${(fastMs / 1000).toFixed(1)} s (${(fastMs / FAST_CYCLES).toFixed(2)} ms/cycle), ` +
        `${USB_CYCLES} type=b200 cycles in ${(usbMs / 1000).toFixed(1)} s (${(usbMs / Math.max(1, USB_CYCLES)).toFixed(1)} ms/cycle); ` +
        `RSS ${(rss0 / MB).toFixed(1)} -> ${(rss1 / MB).toFixed(1)} -> ${(rss2 / MB).toFixed(1)} MiB`,
    );
    // A leak of even one 100-byte string per cycle would show as ~1 MiB per 10k; UHD's own
    // failure path allocates KiBs per call. Allow allocator noise, not per-cycle growth.
    expect((rss1 - rss0) / MB).toBeLessThan(16);
    expect((rss2 - rss0) / MB).toBeLessThan(24);
  }, 180_000);
});

describe('parseDeviceAddress', () => {
  it('parses UHD key=value device addresses', () => {
    expect(parseDeviceAddress('type=b200,name=MyB210,serial=30AD2D4,product=B210')).toEqual({
      type: 'b200',
      name: 'MyB210',
      serial: '30AD2D4',
      product: 'B210',
    });
    expect(parseDeviceAddress('addr=192.168.10.2,type=x300,fpga=HG')).toMatchObject({ addr: '192.168.10.2' });
    expect(parseDeviceAddress('')).toEqual({});
    expect(parseDeviceAddress('junk,a=b=c')).toEqual({ a: 'b=c' });
  });
});
