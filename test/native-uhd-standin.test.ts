// The Usrp object (tuning, gain, rate, sensors, serial, close) needs a USRP, which cannot exist
// here. It is checked against a stand-in libuhd built from C with UHD's C ABI (the uhd.h
// prototypes, uhd_error codes, tune structs, string-vector and sensor-value handles) that
// behaves like a B210 without a GPSDO. The binding, marshalling and lifetimes under test are
// the real code; native-uhd.test.ts covers the real libuhd with no device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentError } from '../harness/errors.js';
import { koffi } from '../native/lib.js';
import { buildSharedLibrary, hasCc, standinDir } from './helpers/cc.js';

const FAKE_UHD_C = String.raw`
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef struct { char *items[16]; size_t n; } svec;
typedef struct { char name[64]; char value[64]; char unit[64]; int type; } sval;
typedef struct { char serial[32]; } eeprom;
typedef struct { char last_error[512]; double rx_freq, tx_freq, rx_gain, tx_gain, rx_rate, tx_rate; char args[256]; } usrp;
typedef struct { double target_freq; int rf_freq_policy; double rf_freq; int dsp_freq_policy; double dsp_freq; char *args; } tune_req;
typedef struct { double clipped_rf_freq, target_rf_freq, actual_rf_freq, target_dsp_freq, actual_dsp_freq; } tune_res;
static char global_error[512] = "None";
static int live = 0, tunes_with_args = 0;
/* Like UHD_SAFE_C: every call that succeeds sets the global last error to "None". */
static int ok(void);
int fake_live_handles(void) { return live; }
int fake_tunes_with_args(void) { return tunes_with_args; }
static void copy(char *dst, size_t n, const char *src) { if (n == 0) return; strncpy(dst, src, n - 1); dst[n - 1] = 0; }
static int ok(void) { copy(global_error, sizeof global_error, "None"); return 0; }
int uhd_get_version_string(char *b, size_t n) { copy(b, n, "4.3.0.0-standin"); return ok(); }
int uhd_get_last_error(char *b, size_t n) { copy(b, n, global_error); return 0; }
int uhd_string_vector_make(svec **h) { *h = calloc(1, sizeof(svec)); live++; return ok(); }
int uhd_string_vector_free(svec **h) { if (*h) { for (size_t i = 0; i < (*h)->n; i++) free((*h)->items[i]); free(*h); live--; *h = NULL; } return ok(); }
int uhd_string_vector_size(svec *h, size_t *n) { *n = h->n; return ok(); }
int uhd_string_vector_at(svec *h, size_t i, char *b, size_t n) { if (i >= h->n) return 10; copy(b, n, h->items[i]); return ok(); }
static void push(svec *v, const char *s) { if (v->n < 16) v->items[v->n++] = strdup(s); }
int uhd_usrp_find(const char *args, svec **h) {
  for (size_t i = 0; i < (*h)->n; i++) free((*h)->items[i]);
  (*h)->n = 0;
  if (strstr(args, "type=b200") && !strstr(args, "serial=") ) push(*h, "type=b200,name=MyB210,serial=30AD2D4,product=B210");
  else if (strstr(args, "serial=30AD2D4")) push(*h, "type=b200,name=MyB210,serial=30AD2D4,product=B210");
  copy(global_error, sizeof global_error, "None"); return ok();
}
int uhd_usrp_make(usrp **h, const char *args) {
  if (!strstr(args, "type=b200") || (strstr(args, "serial=") && !strstr(args, "serial=30AD2D4"))) {
    snprintf(global_error, sizeof global_error, "LookupError: KeyError: No devices found for ----->\nDevice Address:\n    %s\n", args);
    return 11;
  }
  *h = calloc(1, sizeof(usrp)); live++;
  copy((*h)->args, sizeof (*h)->args, args);
  (*h)->rx_rate = (*h)->tx_rate = 1e6;
  copy(global_error, sizeof global_error, "None"); return ok();
}
int uhd_usrp_free(usrp **h) { if (*h) { free(*h); live--; *h = NULL; } return ok(); }
int uhd_usrp_last_error(usrp *h, char *b, size_t n) { copy(b, n, h->last_error); return 0; }
int uhd_usrp_get_pp_string(usrp *h, char *b, size_t n) { copy(b, n, "Single USRP:\n  Device: B-Series Device\n  Mboard 0: B210\n"); return ok(); }
int uhd_usrp_get_mboard_name(usrp *h, size_t mb, char *b, size_t n) {
  if (mb != 0) { copy(h->last_error, sizeof h->last_error, "IndexError: mboard index out of range"); return 10; }
  strncpy(b, "B210", n); return ok(); }  /* like UHD: strncpy without a terminator of its own */
int uhd_usrp_get_num_mboards(usrp *h, size_t *n) { *n = 1; return ok(); }
int uhd_usrp_get_rx_num_channels(usrp *h, size_t *n) { *n = 2; return ok(); }
int uhd_usrp_get_tx_num_channels(usrp *h, size_t *n) { *n = 2; return ok(); }
int uhd_sensor_value_make(sval **h) { *h = calloc(1, sizeof(sval)); strcpy((*h)->value, "false"); (*h)->type = 98; live++; return ok(); }
int uhd_sensor_value_free(sval **h) { if (*h) { free(*h); live--; *h = NULL; } return ok(); }
int uhd_sensor_value_name(sval *h, char *b, size_t n) { copy(b, n, h->name); return ok(); }
int uhd_sensor_value_value(sval *h, char *b, size_t n) { copy(b, n, h->value); return ok(); }
int uhd_sensor_value_unit(sval *h, char *b, size_t n) { copy(b, n, h->unit); return ok(); }
int uhd_sensor_value_data_type(sval *h, int *t) { *t = h->type; return ok(); }
int uhd_usrp_get_mboard_sensor_names(usrp *h, size_t mb, svec **v) { push(*v, "ref_locked"); push(*v, "temp"); return ok(); }
int uhd_usrp_get_mboard_sensor(usrp *h, const char *name, size_t mb, sval **s) {
  if (strcmp(name, "ref_locked") == 0) { strcpy((*s)->name, "Ref"); strcpy((*s)->value, "true"); strcpy((*s)->unit, "locked"); (*s)->type = 98; return ok(); }
  if (strcmp(name, "temp") == 0) { strcpy((*s)->name, "temp"); strcpy((*s)->value, "47.250000"); strcpy((*s)->unit, "C"); (*s)->type = 114; return ok(); }
  snprintf(h->last_error, sizeof h->last_error, "LookupError: Path not found in tree: /mboards/0/sensors/%s", name);
  return 41;
}
int uhd_mboard_eeprom_make(eeprom **h) { *h = calloc(1, sizeof(eeprom)); live++; return ok(); }
int uhd_mboard_eeprom_free(eeprom **h) { if (*h) { free(*h); live--; *h = NULL; } return ok(); }
int uhd_usrp_get_mboard_eeprom(usrp *h, eeprom *e, size_t mb) { strcpy(e->serial, "30AD2D4"); return ok(); }
int uhd_mboard_eeprom_get_value(eeprom *e, const char *key, char *b, size_t n) {
  if (strcmp(key, "serial") == 0) { copy(b, n, e->serial); return ok(); } return 11; }
static int tune(usrp *h, tune_req *r, size_t chan, tune_res *res, double *freq) {
  if (!r->args) { copy(h->last_error, sizeof h->last_error, "RuntimeError: args is NULL"); return 44; }
  if (r->args[0]) tunes_with_args++;
  if (chan > 1) { copy(h->last_error, sizeof h->last_error, "IndexError: channel out of range"); return 10; }
  double t = r->target_freq, clipped = t < 70e6 ? 70e6 : t > 6e9 ? 6e9 : t;
  res->clipped_rf_freq = clipped;
  res->target_rf_freq = r->rf_freq_policy == 'M' ? r->rf_freq : clipped;
  res->actual_rf_freq = res->target_rf_freq;
  res->target_dsp_freq = res->actual_dsp_freq = res->actual_rf_freq - clipped;
  *freq = clipped; return ok();
}
int uhd_usrp_set_rx_freq(usrp *h, tune_req *r, size_t c, tune_res *res) { return tune(h, r, c, res, &h->rx_freq); }
int uhd_usrp_set_tx_freq(usrp *h, tune_req *r, size_t c, tune_res *res) { return tune(h, r, c, res, &h->tx_freq); }
int uhd_usrp_get_rx_freq(usrp *h, size_t c, double *f) { *f = h->rx_freq; return ok(); }
int uhd_usrp_get_tx_freq(usrp *h, size_t c, double *f) { *f = h->tx_freq; return ok(); }
static double clampg(double g, double hi) { return g < 0 ? 0 : g > hi ? hi : g; }
int uhd_usrp_set_rx_gain(usrp *h, double g, size_t c, const char *name) {
  if (!name) return 44; if (name[0] && strcmp(name, "PGA")) { snprintf(h->last_error, sizeof h->last_error, "KeyError: no gain element %s", name); return 11; }
  h->rx_gain = clampg(g, 76); return ok(); }
int uhd_usrp_get_rx_gain(usrp *h, size_t c, const char *name, double *g) { if (!name) return 44; *g = h->rx_gain; return ok(); }
int uhd_usrp_set_tx_gain(usrp *h, double g, size_t c, const char *name) { if (!name) return 44; h->tx_gain = clampg(g, 89.8); return ok(); }
int uhd_usrp_get_tx_gain(usrp *h, size_t c, const char *name, double *g) { if (!name) return 44; *g = h->tx_gain; return ok(); }
int uhd_usrp_set_rx_rate(usrp *h, double r, size_t c) { h->rx_rate = r > 61.44e6 ? 61.44e6 : r; return ok(); }
int uhd_usrp_get_rx_rate(usrp *h, size_t c, double *r) { *r = h->rx_rate; return ok(); }
int uhd_usrp_set_tx_rate(usrp *h, double r, size_t c) { h->tx_rate = r > 61.44e6 ? 61.44e6 : r; return ok(); }
int uhd_usrp_get_tx_rate(usrp *h, size_t c, double *r) { *r = h->tx_rate; return ok(); }
`;

const scratch = standinDir('ranlab-fake-uhd-');
afterAll(() => scratch.remove());

// Without a C compiler the stand-in library cannot be built (CI has gcc).
describe.skipIf(!hasCc())('Usrp against a stand-in libuhd (UHD C ABI, a B210 without GPSDO)', () => {
  let uhd: typeof import('../native/uhd/index.js');
  let live: () => number;
  let tunesWithArgs: () => number;

  beforeAll(async () => {
    const lib = buildSharedLibrary(scratch.dir, 'libuhd-standin.so', FAKE_UHD_C);
    process.env.RANLAB_LIBUHD = lib; // read when native/uhd/api.ts first binds the library
    uhd = await import('../native/uhd/index.js');
    const h = koffi().load(lib);
    live = h.func('int fake_live_handles()');
    tunesWithArgs = h.func('int fake_tunes_with_args()');
  });
  afterAll(() => {
    delete process.env.RANLAB_LIBUHD;
  });

  it('binds the library RANLAB_LIBUHD names', async () => {
    expect(await uhd.uhdVersion()).toBe('4.3.0.0-standin');
  });

  it('find parses device addresses; open reads name, serial, channels; close frees once', async () => {
    expect(await uhd.findUsrps('type=b200')).toEqual([{ type: 'b200', name: 'MyB210', serial: '30AD2D4', product: 'B210' }]);
    expect(live()).toBe(0); // the find vector was freed
    const u = await uhd.openUsrp('type=b200', { component: 'gnb-a' });
    expect(live()).toBe(1);
    expect(await u.mboardName()).toBe('B210');
    expect(await u.serial()).toBe('30AD2D4');
    expect(await u.ppString()).toContain('Mboard 0: B210');
    expect(await u.mboardCount()).toBe(1);
    expect(await u.rxChannelCount()).toBe(2);
    expect(await u.txChannelCount()).toBe(2);
    expect(live()).toBe(1); // eeprom handle freed
    await Promise.all([u.close(), u.close()]);
    await u.close();
    expect(u.closed).toBe(true);
    expect(live()).toBe(0);
    const err = await u.getRxFreq().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ComponentError);
    expect((err as ComponentError).code).toBe('UHD_CLOSED');
  });

  it('sensors: ref_locked as a boolean, names listed, an absent GPSDO is a UhdError with UHD\'s text', async () => {
    const u = await uhd.openUsrp('type=b200,serial=30AD2D4');
    try {
      expect(await u.sensorNames()).toEqual(['ref_locked', 'temp']);
      expect(await u.sensor('ref_locked')).toEqual({ name: 'Ref', type: 'boolean', value: true, raw: 'true', unit: 'locked' });
      expect(await u.sensor('temp')).toMatchObject({ type: 'realnum', value: 47.25, unit: 'C' });
      const err = (await u.sensor('gps_locked').catch((e: unknown) => e)) as InstanceType<typeof uhd.UhdError>;
      expect(err).toBeInstanceOf(uhd.UhdError);
      expect(err.code).toBe('UHD_ERROR_LOOKUP');
      expect(err.op).toBe('uhd_usrp_get_mboard_sensor');
      expect(err.uhdMessage).toBe('LookupError: Path not found in tree: /mboards/0/sensors/gps_locked');
      expect(live()).toBe(1); // every sensor handle and name vector freed, also on failure
    } finally {
      await u.close();
    }
    expect(live()).toBe(0);
  });

  it('tunes RX/TX through the C tune structs, with LO offset and tune args; reads back', async () => {
    const u = await uhd.openUsrp('type=b200');
    try {
      const r = await u.setRxFreq(3.5e9);
      expect(r).toEqual({ clippedRfFreqHz: 3.5e9, targetRfFreqHz: 3.5e9, actualRfFreqHz: 3.5e9, targetDspFreqHz: 0, actualDspFreqHz: 0 });
      expect(await u.getRxFreq()).toBe(3.5e9);
      const t = await u.setTxFreq(3.5e9, 1, { loOffsetHz: 5e6, args: 'mode_n=integer' });
      expect(t.targetRfFreqHz).toBe(3.505e9);
      expect(t.actualDspFreqHz).toBe(5e6);
      expect(tunesWithArgs()).toBe(1);
      expect((await u.setRxFreq(9e9)).clippedRfFreqHz).toBe(6e9);
      const bad = (await u.setRxFreq(1e9, 5).catch((e: unknown) => e)) as InstanceType<typeof uhd.UhdError>;
      expect(bad.code).toBe('UHD_ERROR_INDEX');
      expect(bad.uhdMessage).toContain('channel out of range');
      await expect(u.setRxFreq(Number.NaN)).rejects.toThrow(RangeError);
    } finally {
      await u.close();
    }
  });

  it('gain and rate setters/getters, named gain stages, and per-device errors', async () => {
    const u = await uhd.openUsrp('type=b200');
    try {
      await u.setRxGain(40);
      expect(await u.getRxGain()).toBe(40);
      await u.setRxGain(100);
      expect(await u.getRxGain()).toBe(76); // UHD clips to the range
      await u.setRxGain(10, 0, 'PGA');
      const err = (await u.setRxGain(10, 0, 'LNA').catch((e: unknown) => e)) as InstanceType<typeof uhd.UhdError>;
      expect(err.code).toBe('UHD_ERROR_KEY');
      expect(err.uhdMessage).toBe('KeyError: no gain element LNA');
      await u.setTxGain(60.5, 1);
      expect(await u.getTxGain(1)).toBe(60.5);
      await u.setRxRate(23.04e6);
      expect(await u.getRxRate()).toBe(23.04e6);
      await u.setTxRate(100e6);
      expect(await u.getTxRate()).toBe(61.44e6);
      const idx = (await u.mboardName(3).catch((e: unknown) => e)) as InstanceType<typeof uhd.UhdError>;
      expect(idx.code).toBe('UHD_ERROR_INDEX');
    } finally {
      await u.close();
    }
  });

  it('calls on one device run in order; close waits for queued calls, later calls reject', async () => {
    const u = await uhd.openUsrp('type=b200');
    const sets = [1, 2, 3, 4, 5].map((i) => u.setRxGain(i * 10));
    const gain = u.getRxGain();
    const closed = u.close();
    await Promise.all(sets);
    expect(await gain).toBe(50);
    await closed;
    await expect(u.getRxGain()).rejects.toMatchObject({ code: 'UHD_CLOSED' });
    expect(live()).toBe(0);
  });

  it('failing opens keep their own message while another device is driven (device calls rewrite the global error)', async () => {
    const u = await uhd.openUsrp('type=b200');
    try {
      const N = 20;
      const driving = Array.from({ length: 5 * N }, (_, i) => (i % 2 ? u.setRxGain(i % 70) : u.getRxRate()));
      const opens = Array.from({ length: N }, (_, i) =>
        uhd.openUsrp(`type=x300,serial=S${i}`).then(
          () => 'opened',
          (e: InstanceType<typeof uhd.UhdError>) => e.uhdMessage,
        ),
      );
      const messages = await Promise.all(opens);
      await Promise.all(driving);
      expect(messages.filter((m, i) => !m.includes(`serial=S${i}`))).toEqual([]);
    } finally {
      await u.close();
    }
    expect(live()).toBe(0);
  });

  it('open failures carry the global last error; nothing stays allocated', async () => {
    const err = (await uhd.openUsrp('type=x300').catch((e: unknown) => e)) as InstanceType<typeof uhd.UhdError>;
    expect(err.code).toBe('UHD_ERROR_KEY');
    expect(err.uhdMessage).toContain('No devices found');
    expect(err.uhdMessage).toContain('type=x300');
    expect(live()).toBe(0);
  });
});
