// Saturation, the condition under which PRB use proves a quota: the backend's reading of UE
// reports (dl_brate, dl_bs), and the stand-in's buffers that produce them from the twin's
// radio model (backlogged while demand exceeds what the grant carries).
import { describe, expect, it } from 'vitest';
import { parseFrame, type CellSample } from '../harness/ran/srsran/frames.js';
import { ConfirmWatch, saturationOf } from '../harness/ran/srsran/confirm.js';
import { DownlinkQueues, MAX_BUFFER_BYTES } from '../harness/twin/srsgnb/queues.js';
import type { CellRadio } from '../harness/twin/radio.js';

const cells = (ues: string, prb = 30): CellSample => {
  const f = parseFrame(`{"cells":[{"cell_metrics":{"pci":1,"pdsch_prbs_used_per_tdd_slot_idx":[${prb},${prb},0]},"ue_list":[${ues}]}],"timestamp":"2026-11-29T12:00:00.000"}`);
  if (f.kind !== 'cells') throw new Error(f.kind);
  return f.cells[0]!;
};

describe('saturation from 25.10 UE reports', () => {
  it('reads dl_bs, and calls a report saturated when a loaded UE is still backlogged after scheduling', () => {
    expect(cells('{"rnti":17921,"dl_brate":4583000.0,"dl_bs":123456}').ues[0]!.dlBufferBytes).toBe(123456);
    expect(saturationOf(cells('{"rnti":1,"dl_brate":4583000.0,"dl_bs":123456},{"rnti":2,"dl_brate":0.0,"dl_bs":0}'))).toBe('saturated');
    // A light UE beside a backlogged one: the scheduler still left data waiting.
    expect(saturationOf(cells('{"rnti":1,"dl_brate":4583000.0,"dl_bs":123456},{"rnti":2,"dl_brate":900.0,"dl_bs":0}'))).toBe('saturated');
    expect(saturationOf(cells('{"rnti":1,"dl_brate":4583000.0,"dl_bs":0},{"rnti":2,"dl_brate":900.0,"dl_bs":0}'))).toBe('unsaturated');
    // Data waiting at a UE the scheduler gave nothing is not load on the cell's PRBs.
    expect(saturationOf(cells('{"rnti":1,"dl_brate":4583000.0,"dl_bs":0},{"rnti":2,"dl_brate":0.0,"dl_bs":5000}'))).toBe('unsaturated');
    expect(saturationOf(cells('{"rnti":1,"dl_brate":0.0,"dl_bs":5000}'))).toBe('idle');
    expect(saturationOf(cells('{"rnti":1,"dl_brate":100000.0}'))).toBe('no-buffer');
  });

  it('confirms only from saturated reports, and says why it could not', () => {
    const w = new ConfirmWatch();
    expect(w.confirms(cells('{"rnti":1,"dl_brate":500000.0,"dl_bs":0}', 6), 26)).toBe(false);
    expect(w.why(25, 50, 51)).toMatch(/^no saturating traffic: .*dl_bs 0\), using 6 PRBs/);
    expect(w.confirms(cells('{"rnti":1,"dl_brate":9000000.0,"dl_bs":70000}', 51), 26)).toBe(false);
    expect(w.why(25, 50, 51)).toBe('the scheduler still used 51 PRBs while its UEs were backlogged, above the 25 PRBs of 50 % of 51');
    expect(w.confirms(cells('{"rnti":1,"dl_brate":9000000.0,"dl_bs":70000}', 25), 26)).toBe(true);
    const idle = new ConfirmWatch();
    idle.confirms(cells('', 0), 26);
    expect(idle.why(25, 50, 51)).toMatch(/no UE had downlink data/);
  });
});

describe('the stand-in\'s downlink buffers', () => {
  const radio = (thp: number[], prb: number): CellRadio => ({ on: true, prbUsedDl: prb, ues: thp.map((t) => ({ thpDlKbps: t })) }) as unknown as CellRadio;

  it('backlogged while demand exceeds the grant: dl_bs grows, the grant is carried in full, the quota filled', () => {
    const q = new DownlinkQueues([10_000]);
    const a = q.step(radio([8_000], 25), 500);
    expect(a.ues[0]).toEqual({ carriedKbps: 8_000, bufferBytes: ((10_000 - 8_000) * 500) / 8 });
    expect(a.prbUsedDl).toBe(25);
    const b = q.step(radio([8_000], 25), 500);
    expect(b.ues[0]!.bufferBytes).toBe((2 * ((10_000 - 8_000) * 500)) / 8);
    // A bounded queue: it stops growing at the stand-in's bound.
    for (let i = 0; i < 20; i++) q.step(radio([1_000], 25), 500);
    expect(q.step(radio([1_000], 25), 500).ues[0]!.bufferBytes).toBe(MAX_BUFFER_BYTES);
  });

  it('not backlogged once the grant carries the demand: dl_bs drains to 0, PRB use what the load needs', () => {
    const q = new DownlinkQueues([20_000]);
    q.step(radio([8_000], 25), 500); // 750000 bytes behind
    const wide = q.step(radio([60_000], 51), 500);
    expect(wide.ues[0]!.bufferBytes).toBe(0);
    expect(wide.ues[0]!.carriedKbps).toBeCloseTo(20_000 + 12_000, 6); // the demand plus the backlog it drained
    const steady = q.step(radio([60_000], 51), 500);
    expect(steady.ues[0]).toEqual({ carriedKbps: 20_000, bufferBytes: 0 });
    expect(steady.prbUsedDl).toBe(Math.ceil((51 * 20_000) / 60_000));
  });

  it('a UE with no stated demand is saturated: always backlogged, at its full rate', () => {
    const q = new DownlinkQueues([undefined]);
    expect(q.step(radio([60_000], 51), 500)).toEqual({ ues: [{ carriedKbps: 60_000, bufferBytes: MAX_BUFFER_BYTES }], prbUsedDl: 51 });
  });
});
