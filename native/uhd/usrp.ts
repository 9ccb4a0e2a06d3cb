// An open USRP (one multi_usrp handle).
// - Calls on one device run one at a time, in order (multi_usrp is not meant to be driven from
//   several threads at once, and its last error is per handle): a per-device queue.
// - Each call holds the process's UHD lock `shared`: device calls report through the handle's
//   own error string, but still rewrite UHD's global one, so none may overlap a find or make.
// - uhd_usrp_free reports through the global string: close() and the finalizer hold it
//   `exclusive`, and free runs on a koffi worker thread like every blocking UHD call.
import { callAsync, cString, type NativeFunction } from '../lib.js';
import { ERR_BUF, freeStringVector, globalLastError, makeStringVector, PP_BUF, readStringVector, STR_BUF, type UhdApi } from './api.js';
import { closedError, UhdError } from './errors.js';
import { SerialQueue, uhdCallLock } from './lock.js';
import { readSensorHandle, type UhdSensor } from './sensor.js';
import { tuneRequest, tuneResult, type TuneOptions, type TuneResult } from './tune.js';

/** Free a handle off the event loop, alone (its failure message is the global one). */
async function freeHandle(a: UhdApi, ref: unknown[], component: string): Promise<void> {
  await uhdCallLock().run('exclusive', async () => {
    if (!ref[0]) return;
    const rc = await callAsync<number>(a.free, ref);
    ref[0] = null;
    if (rc !== 0) throw new UhdError(component, 'uhd_usrp_free', rc, globalLastError(a));
  });
}

// A Usrp dropped without close() still gets its handle freed (through the lock, off the loop).
const finalizer = new FinalizationRegistry<{ a: UhdApi; ref: unknown[]; component: string }>((held) => {
  freeHandle(held.a, held.ref, held.component).catch(() => undefined);
});

/** An open USRP. All methods are serialised per device and run off the event loop. */
export class Usrp {
  /** Device args it was opened with. */
  readonly args: string;
  /** The device args, parsed (`{type: 'b200', serial: '30AD2D4'}`). */
  readonly address: Readonly<Record<string, string>>;
  readonly component: string;
  private readonly a: UhdApi;
  private readonly ref: unknown[];
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
    finalizer.register(this, { a, ref: handleRef, component }, this);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Run `task` in this device's queue, holding the UHD lock shared; the handle is open. */
  private session<T>(op: string, task: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(closedError(this.component, op)); // queued before close() still run
    return this.queue.run(() =>
      uhdCallLock().run('shared', () => {
        if (!this.ref[0]) throw closedError(this.component, op);
        return task();
      }),
    );
  }

  /** One UHD call on the handle (worker thread); a failure carries the handle's own message. */
  private async invoke(op: string, fn: NativeFunction, ...args: unknown[]): Promise<void> {
    const rc = await callAsync<number>(fn, this.ref[0], ...args);
    if (rc === 0) return;
    const buf = Buffer.alloc(ERR_BUF);
    this.a.lastError(this.ref[0], buf, buf.length);
    throw new UhdError(this.component, op, rc, cString(buf));
  }

  private call(op: string, fn: NativeFunction, ...args: unknown[]): Promise<void> {
    return this.session(op, () => this.invoke(op, fn, ...args));
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
      serial = await this.session('uhd_usrp_get_mboard_eeprom', async () => {
        const e: unknown[] = [null];
        if (eepromMake(e) !== 0) return '';
        try {
          await this.invoke('uhd_usrp_get_mboard_eeprom', getMboardEeprom, e[0], mboard);
          const buf = Buffer.alloc(STR_BUF);
          return eepromGet(e[0], 'serial', buf, buf.length - 1) === 0 ? cString(buf) : '';
        } catch (err) {
          if (err instanceof UhdError) return ''; // no EEPROM serial: fall back to the args
          throw err;
        } finally {
          eepromFree(e);
        }
      });
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
  sensorNames(mboard = 0): Promise<string[]> {
    const op = 'uhd_usrp_get_mboard_sensor_names';
    return this.session(op, async () => {
      const vec = makeStringVector(this.a, this.component);
      try {
        await this.invoke(op, this.a.mboardSensorNames, mboard, vec);
        return readStringVector(this.a, vec[0]);
      } finally {
        freeStringVector(this.a, vec);
      }
    });
  }

  /** Read a motherboard sensor (`ref_locked`, `gps_locked`). A missing sensor is a UhdError (KEY/LOOKUP). */
  sensor(name: string, mboard = 0): Promise<UhdSensor> {
    const op = 'uhd_usrp_get_mboard_sensor';
    return this.session(op, async () => {
      const s: unknown[] = [null];
      const rc = this.a.sensorMake(s);
      // Under a shared hold the global message may be another device call's "None": say so.
      if (rc !== 0) throw new UhdError(this.component, 'uhd_sensor_value_make', rc, 'could not allocate a sensor value');
      try {
        await this.invoke(op, this.a.mboardSensor, name, mboard, s);
        return readSensorHandle(this.a, s[0]);
      } finally {
        if (s[0]) this.a.sensorFree(s);
      }
    });
  }

  /** Tune RX (`chan`) to `freqHz`; resolves to UHD's tune result. */
  setRxFreq(freqHz: number, chan = 0, opts: TuneOptions = {}): Promise<TuneResult> {
    return this.tune('uhd_usrp_set_rx_freq', this.a.setRxFreq, freqHz, chan, opts);
  }
  getRxFreq(chan = 0): Promise<number> {
    return this.getDouble('uhd_usrp_get_rx_freq', this.a.getRxFreq, chan);
  }
  setTxFreq(freqHz: number, chan = 0, opts: TuneOptions = {}): Promise<TuneResult> {
    return this.tune('uhd_usrp_set_tx_freq', this.a.setTxFreq, freqHz, chan, opts);
  }
  getTxFreq(chan = 0): Promise<number> {
    return this.getDouble('uhd_usrp_get_tx_freq', this.a.getTxFreq, chan);
  }

  private async tune(op: string, fn: NativeFunction, freqHz: number, chan: number, opts: TuneOptions): Promise<TuneResult> {
    const req = tuneRequest(freqHz, opts);
    const res: Record<string, number> = {};
    await this.call(op, fn, req, chan, res);
    return tuneResult(res);
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
    this.closing ??= this.queue.run(() => {
      finalizer.unregister(this);
      return freeHandle(this.a, this.ref, this.component);
    });
    return this.closing;
  }
}
