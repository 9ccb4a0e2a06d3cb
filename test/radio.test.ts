import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../harness/errors.js';
import {
  LTE_CQI_EFFICIENCY,
  LTE_CQI_TABLE,
  NR_CQI_EFFICIENCY,
  NR_CQI_TABLE_256QAM,
  NR_FR1_PRB_TABLE,
  OVERHEAD,
  carrierLowEdgeMHz,
  cqiToSpectralEfficiency,
  frequencyRange,
  lteEarfcn,
  symbolDurationS,
  nrArfcn,
  prbCount,
  prbRangeMHz,
} from '../harness/nr/index.js';
import {
  NR256_DL_SINR_THRESHOLDS_DB,
  NR256_UL_SINR_THRESHOLDS_DB,
  SINR_CQI_THRESHOLDS_DB,
  effectiveSinrDb,
  evaluateCell,
  interferencePerPrbMw,
  prbSinrDb,
  prbSinrUlDb,
  psdPer180kHzDbm,
  psdPerPrbDbm,
  puschPowerDbm,
  rsrpDbm,
  rsrqDb,
  sinrToCqi,
  thermalNoiseDbm,
  type Carrier,
  type CellModelInput,
  type Interferer,
} from '../harness/twin/radio.js';

// The twin rig's carrier: NR n46, 40 MHz at 15 kHz, 30 dBm.
const nr40: Carrier = { rat: 'NR', carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15, prbTotal: 216, txPowerDbm: 30 };

describe('PRBs per carrier (3GPP tables)', () => {
  it('LTE TS 36.101 Table 5.6-1', () => {
    expect([1.4, 3, 5, 10, 15, 20].map((bw) => prbCount('LTE', bw, 15))).toEqual([6, 15, 25, 50, 75, 100]);
  });

  it('NR FR1 TS 38.101-1 Table 5.3.2-1, every row', () => {
    const row = (scs: 15 | 30 | 60, bws: number[]) => bws.map((bw) => prbCount('NR', bw, scs));
    expect(row(15, [3, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50])).toEqual([15, 25, 52, 79, 106, 133, 160, 188, 216, 242, 270]);
    expect(row(30, [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100])).toEqual([
      11, 24, 38, 51, 65, 78, 92, 106, 119, 133, 162, 189, 217, 245, 273,
    ]);
    expect(row(60, [10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100])).toEqual([
      11, 18, 24, 31, 38, 44, 51, 58, 65, 79, 93, 107, 121, 135,
    ]);
    // Every entry fits its channel: N_RB x 12 x SCS < bandwidth (guard bands are positive).
    for (const [scs, t] of Object.entries(NR_FR1_PRB_TABLE)) {
      for (const [bw, n] of t) expect(n * 12 * Number(scs)).toBeLessThan(bw * 1000);
    }
  });

  it('an unsupported combination is a ConfigError naming both values', () => {
    const cases: [('NR' | 'LTE'), number, number][] = [
      ['NR', 100, 15],
      ['NR', 5, 60],
      ['NR', 3, 30],
      ['NR', 12, 30],
      ['NR', 20, 120],
      ['LTE', 20, 30],
      ['LTE', 40, 15],
    ];
    for (const [rat, bw, scs] of cases) {
      let err: unknown;
      try {
        prbCount(rat, bw, scs);
      } catch (e) {
        err = e;
      }
      expect(err, `${rat} ${bw} MHz ${scs} kHz`).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(`${bw} MHz`);
      expect((err as Error).message).toContain(`${scs} kHz`);
    }
  });
});

describe('SINR -> CQI -> spectral efficiency', () => {
  it('uses the documented 64QAM-ladder thresholds for LTE', () => {
    expect(sinrToCqi(-10)).toBe(0);
    expect(sinrToCqi(-1.9)).toBe(0);
    expect(sinrToCqi(-1.89)).toBe(1);
    expect(sinrToCqi(4.9)).toBe(5);
    expect(sinrToCqi(29.31)).toBe(14);
    expect(sinrToCqi(29.32)).toBe(15);
    expect(sinrToCqi(60)).toBe(15);
    expect(sinrToCqi(Number.NaN)).toBe(0);
    SINR_CQI_THRESHOLDS_DB.forEach((t, i) => expect(sinrToCqi(t, 'lte')).toBe(i + 1));
  });

  it('efficiency tables: LTE 36.213 Table 7.2.3-1 and NR 38.214 Table 5.2.2.1-3', () => {
    expect(LTE_CQI_EFFICIENCY).toHaveLength(15);
    expect(NR_CQI_EFFICIENCY).toHaveLength(15);
    expect(cqiToSpectralEfficiency(0, 'lte')).toBe(0);
    expect(cqiToSpectralEfficiency(1, 'lte')).toBe(0.1523);
    expect(cqiToSpectralEfficiency(7, 'lte')).toBe(1.4766);
    expect(cqiToSpectralEfficiency(15, 'lte')).toBe(5.5547);
    expect(cqiToSpectralEfficiency(2, 'nr256')).toBe(0.377);
    expect(cqiToSpectralEfficiency(12, 'nr256')).toBe(5.5547);
    expect(cqiToSpectralEfficiency(15, 'nr256')).toBe(7.4063);
    expect(() => cqiToSpectralEfficiency(16)).toThrow(RangeError);
    expect(() => cqiToSpectralEfficiency(1.5)).toThrow(RangeError);
  });

  it('NR reports CQI 1..15 of the 256QAM table at the documented downlink and uplink thresholds', () => {
    NR256_DL_SINR_THRESHOLDS_DB.forEach((t, i) => {
      expect(sinrToCqi(t, 'nr256', 'dl')).toBe(i + 1);
      expect(sinrToCqi(t - 0.01, 'nr256', 'dl')).toBe(i);
    });
    NR256_UL_SINR_THRESHOLDS_DB.forEach((t, i) => expect(sinrToCqi(t, 'nr256', 'ul')).toBe(i + 1));
    // MathWorks' lookup: CQI 15 needs 35.43 dB on the downlink, 33.43 dB on the uplink.
    expect(sinrToCqi(35.42, 'nr256')).toBe(14);
    expect(sinrToCqi(35.43, 'nr256')).toBe(15);
    expect(sinrToCqi(33.43, 'nr256', 'ul')).toBe(15);
    expect(sinrToCqi(-3.47, 'nr256')).toBe(0);
  });

  it('CQI tables: each efficiency is Qm x R of its row (TS 38.214 Tables 5.2.2.1-2/-3)', () => {
    for (const t of [LTE_CQI_TABLE, NR_CQI_TABLE_256QAM]) {
      for (const e of t) expect(Math.abs((e.qm * e.rateX1024) / 1024 - e.efficiency)).toBeLessThan(6e-5);
    }
    expect(NR_CQI_TABLE_256QAM[14]).toEqual({ qm: 8, rateX1024: 948, efficiency: 7.4063 });
    expect(LTE_CQI_TABLE[14]).toEqual({ qm: 6, rateX1024: 948, efficiency: 5.5547 });
  });

  it('CQI and efficiency never decrease with SINR', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 60, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }), (s, d) => {
        for (const t of ['lte', 'nr256'] as const) {
          for (const dir of ['dl', 'ul'] as const) expect(sinrToCqi(s + d, t, dir)).toBeGreaterThanOrEqual(sinrToCqi(s, t, dir));
        }
      }),
    );
  });
});

describe('link budget', () => {
  it('thermal noise per 180 kHz PRB with a 7 dB noise figure', () => {
    expect(thermalNoiseDbm(180e3, 7)).toBeCloseTo(-174 + 52.553 + 7, 2);
    expect(thermalNoiseDbm(180e3)).toBeCloseTo(-114.447, 2);
  });

  it('power spread over the carrier, PSD per 180 kHz, RSRP per resource element', () => {
    expect(psdPerPrbDbm(nr40)).toBeCloseTo(30 - 10 * Math.log10(216), 9);
    expect(psdPer180kHzDbm(nr40)).toBeCloseTo(psdPerPrbDbm(nr40), 9);
    const nr30: Carrier = { ...nr40, scsKHz: 30, prbTotal: 106 };
    // A 360 kHz PRB holds twice the power of a 180 kHz reference.
    expect(psdPer180kHzDbm(nr30)).toBeCloseTo(psdPerPrbDbm(nr30) - 10 * Math.log10(2), 9);
    expect(rsrpDbm(nr40, 95)).toBeCloseTo(psdPerPrbDbm(nr40) - 10 * Math.log10(12) - 95, 9);
  });

  it('RSRQ = N x RSRP / RSSI, clamped to -20..-3', () => {
    // Fully loaded, no interference, negligible noise: RSSI = 12 N RSRP -> -10.79 dB.
    expect(rsrqDb(-90, -90 + 10 * Math.log10(12 * 50), 50)).toBeCloseTo(-10.79, 2);
    expect(rsrqDb(-90, -90, 50)).toBe(-3);
    expect(rsrqDb(-120, -60, 50)).toBe(-20);
  });

  it('absolute PRB frequencies: carrier low edge + PRB offsets x 12 x SCS', () => {
    expect(carrierLowEdgeMHz(nr40)).toBeCloseTo(5170 - (216 * 0.18) / 2, 9);
    const r = prbRangeMHz(nr40, 10, 20);
    expect(r.lowMHz).toBeCloseTo(carrierLowEdgeMHz(nr40) + 1.8, 9);
    expect(r.highMHz - r.lowMHz).toBeCloseTo(3.6, 9);
  });

  it('ARFCN: NR global raster and LTE EARFCN', () => {
    expect(nrArfcn(3500)).toBe(633_333);
    expect(nrArfcn(2140)).toBe(428_000);
    expect(nrArfcn(5170)).toBe(744_667);
    expect(lteEarfcn('B7', 2655)).toBe(3100);
    expect(lteEarfcn('46', 5170)).toBe(46_990);
    expect(() => lteEarfcn('B99', 1000)).toThrow(ConfigError);
    expect(() => lteEarfcn('B7', 2000)).toThrow(/outside LTE band/);
  });
});

describe('co-channel interference', () => {
  const other = (lowMHz: number, highMHz: number, on = true, operator = 'op-b'): Interferer => ({
    cellId: 'b1',
    operator,
    on,
    lowMHz,
    highMHz,
    psdDbmPerPrb: psdPer180kHzDbm(nr40),
  });
  const edge = carrierLowEdgeMHz(nr40);

  it('adds an overlapping transmitter in proportion to the overlap, and ignores others', () => {
    const psdMw = 10 ** (psdPer180kHzDbm(nr40) / 10);
    // Covers PRB 0 fully and half of PRB 1.
    const i = interferencePerPrbMw(nr40, 'a1', 'op-a', [other(edge, edge + 0.27)]);
    expect(i[0] / psdMw).toBeCloseTo(1, 9);
    expect(i[1] / psdMw).toBeCloseTo(0.5, 9);
    expect(i[2]).toBe(0);
    // Off, same operator, own cell: no interference.
    expect(interferencePerPrbMw(nr40, 'a1', 'op-a', [other(edge, edge + 1, false)]).every((x) => x === 0)).toBe(true);
    expect(interferencePerPrbMw(nr40, 'a1', 'op-a', [other(edge, edge + 1, true, 'op-a')]).every((x) => x === 0)).toBe(true);
    expect(interferencePerPrbMw(nr40, 'b1', 'op-a', [other(edge, edge + 1)]).every((x) => x === 0)).toBe(true);
    // Outside the carrier: nothing.
    expect(interferencePerPrbMw(nr40, 'a1', 'op-a', [other(edge - 10, edge - 1)]).every((x) => x === 0)).toBe(true);
  });

  it('interference lowers SINR on overlapped PRBs only, by the UE interference loss', () => {
    const ue = { id: 'u', pathLossDb: 95, interferenceLossDb: 100 };
    const i = interferencePerPrbMw(nr40, 'a1', 'op-a', [other(edge + 18, edge + 36)]); // PRBs 100..199
    const s = prbSinrDb(nr40, ue, i);
    const clean = prbSinrDb(nr40, ue, new Array(216).fill(0));
    expect(s[50]).toBeCloseTo(clean[50], 9);
    expect(s[150]).toBeLessThan(clean[150] - 15);
    // SNR: PSD - PL - noise = (30 - 23.34) - 95 + 114.45 = 26.1 dB.
    expect(clean[0]).toBeCloseTo(30 - 10 * Math.log10(216) - 95 - thermalNoiseDbm(180e3), 9);
    const farther = prbSinrDb(nr40, { ...ue, interferenceLossDb: 120 }, i);
    expect(farther[150]).toBeGreaterThan(s[150]);
  });

  it('effective SINR lies between the worst and best PRB', () => {
    expect(effectiveSinrDb([10, 10])).toBeCloseTo(10, 9);
    const e = effectiveSinrDb([0, 20]);
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThan(20);
  });
});

describe('cell model', () => {
  const ues = [
    { id: 'ue-a1', pathLossDb: 95, interferenceLossDb: 100 },
    { id: 'ue-a2', pathLossDb: 100, interferenceLossDb: 103 },
  ];
  const base = (quota: { startPrb: number; nPrb: number } | null, air: Interferer[] = [], on = true): CellModelInput => ({
    cellId: 'a1',
    operator: 'op-a',
    carrier: nr40,
    on,
    quota,
    ues,
    air,
  });

  it('throughput = sum over PRBs of the TS 38.306 rate at each PRB\'s CQI, shared round robin', () => {
    const r = evaluateCell(base({ startPrb: 0, nPrb: 100 }));
    expect(r.prbAvailDl).toBe(100);
    expect(r.prbUsedDl).toBe(100);
    expect(r.prbTotDlPct).toBeCloseTo((100 * 100) / 216, 9);
    for (const [i, u] of r.ues.entries()) {
      const sinr = prbSinrDb(nr40, ues[i], new Array(216).fill(0))[0];
      const e = NR_CQI_TABLE_256QAM[sinrToCqi(sinr, 'nr256') - 1];
      // One PRB at 15 kHz: Qm x R x 12 subcarriers x 14 000 symbols/s x (1 - 0.14).
      expect(u.thpDlKbps).toBeCloseTo((100 * e.qm * (e.rateX1024 / 1024) * 12 * 14_000 * 0.86) / 2 / 1000, 6);
      expect(u.prbUsedDl).toBe(50);
      expect(u.inService).toBe(true);
      expect(u.cqi).toBe(sinrToCqi(sinr, 'nr256'));
    }
    expect(r.thpDlKbps).toBeCloseTo(r.ues[0].thpDlKbps + r.ues[1].thpDlKbps, 9);
    // Plausible order of magnitude: tens of Mbit/s on 100 PRBs.
    expect(r.thpDlKbps).toBeGreaterThan(20_000);
    expect(r.thpDlKbps).toBeLessThan(100_000);
  });

  it('more PRBs carry more; an off cell or no quota carries nothing', () => {
    const small = evaluateCell(base({ startPrb: 0, nPrb: 50 })).thpDlKbps;
    const big = evaluateCell(base({ startPrb: 0, nPrb: 150 })).thpDlKbps;
    expect(big).toBeGreaterThan(small);
    const off = evaluateCell(base({ startPrb: 0, nPrb: 150 }, [], false));
    expect(off).toMatchObject({ on: false, prbAvailDl: 0, prbUsedDl: 0, prbTotDlPct: 0, thpDlKbps: 0 });
    expect(off.ues.every((u) => !u.inService && u.thpDlKbps === 0 && u.cqi === 0)).toBe(true);
    const noQuota = evaluateCell(base(null));
    expect(noQuota.thpDlKbps).toBe(0);
    expect(noQuota.ues[0].rsrpDbm).toBeCloseTo(rsrpDbm(nr40, 95), 9);
    // An idle cell (reference signals only) shows a better RSRQ than a loaded one.
    expect(noQuota.ues[0].rsrqDb).toBeGreaterThan(evaluateCell(base({ startPrb: 0, nPrb: 216 })).ues[0].rsrqDb);
    expect(evaluateCell(base({ startPrb: 0, nPrb: 216 })).ues[0].rsrqDb).toBeCloseTo(-10.8, 0);
  });

  it('random uncoordinated overlap costs throughput against disjoint allocations of the same size', () => {
    const bCarrier = nr40; // the other operator's carrier spans the same band
    const tx = (startPrb: number, nPrb: number): Interferer => ({
      cellId: 'b1',
      operator: 'op-b',
      on: true,
      ...prbRangeMHz(bCarrier, startPrb, nPrb),
      psdDbmPerPrb: psdPer180kHzDbm(bCarrier),
    });
    const n = 108; // each operator asks for half of the 216 PRBs
    const disjoint = evaluateCell(base({ startPrb: 0, nPrb: n }, [tx(n, n)])).thpDlKbps;
    const alone = evaluateCell(base({ startPrb: 0, nPrb: n })).thpDlKbps;
    expect(disjoint).toBeCloseTo(alone, 6);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 216 - n }), fc.integer({ min: 0, max: 216 - n }), (a, b) => {
        const overlap = Math.max(0, Math.min(a + n, b + n) - Math.max(a, b));
        const thp = evaluateCell(base({ startPrb: a, nPrb: n }, [tx(b, n)])).thpDlKbps;
        if (overlap === 0) expect(thp).toBeCloseTo(disjoint, 6);
        else expect(thp).toBeLessThan(disjoint);
        if (overlap >= 10) expect(thp).toBeLessThan(disjoint * (1 - (0.3 * overlap) / n));
      }),
      { numRuns: 200 },
    );
    // Full overlap: the interferer at 100 dB loss brings SINR from ~26 dB to ~5 dB.
    const full = evaluateCell(base({ startPrb: 0, nPrb: n }, [tx(0, n)]));
    expect(full.thpDlKbps).toBeLessThan(disjoint * 0.4);
    expect(full.ues[0].sinrDb).toBeLessThan(8);
  });
});

describe('TS 38.306 §4.1.2 parameters', () => {
  it('symbol duration with cyclic prefix and the overhead per frequency range and direction', () => {
    expect(symbolDurationS(0)).toBeCloseTo(71.4286e-6, 9); // 1 ms / 14
    expect(symbolDurationS(1)).toBeCloseTo(35.7143e-6, 9);
    expect(OVERHEAD).toEqual({ FR1: { dl: 0.14, ul: 0.08 }, FR2: { dl: 0.18, ul: 0.1 } });
    expect(frequencyRange(5170)).toBe('FR1');
    expect(frequencyRange(28000)).toBe('FR2');
  });
});

describe('TS 38.306 rate against published figures', () => {
  const one = (carrier: Carrier, extra: Partial<CellModelInput> = {}) =>
    evaluateCell({
      cellId: 'c',
      operator: 'op',
      carrier,
      on: true,
      quota: { startPrb: 0, nPrb: carrier.prbTotal },
      // 50 dB path loss: SINR far above the CQI 15 thresholds on every PRB.
      ues: [{ id: 'u', pathLossDb: 50, interferenceLossDb: 200 }],
      air: [],
      ...extra,
    });

  it('20 MHz NR at 30 kHz (51 PRBs), CQI 15 (256QAM, R = 948/1024), 1 layer: within 2 % of 109.15 Mbit/s', () => {
    // The sourced figure, by hand, TS 38.306 §4.1.2:
    //   rate = v x Qm x f x R x N_PRB x 12 / Ts x (1 - OH)
    //   v = 1 layer (the configuration); Qm = 8 and R = 948/1024 (TS 38.214 Table 5.2.2.1-3,
    //   CQI 15; also TS 38.306's R_max); f = 1 (TS 38.306); N_PRB = 51 (TS 38.101-1 Table
    //   5.3.2-1, 20 MHz at 30 kHz); Ts = 1e-3 / (14 x 2^1) = 35.714 us (TS 38.306, mu = 1);
    //   OH = 0.14 (TS 38.306, FR1 downlink).
    //   = 8 x 0.92578125 x 612 x 28 000 x 0.86 = 109 145 610 bit/s = 109.15 Mbit/s.
    // Cross-check, published: a "5G NR Throughput Calculation" table (Scribd, 756197955)
    // lists 20 MHz / 30 kHz / 51 PRBs / 8 bits, 4x4 MIMO, OH 0.14 as 472 Mbit/s with no code
    // rate applied: 472 / 4 x 948/1024 = 109.2 Mbit/s per layer.
    const SOURCED_KBPS = 109_145.6;
    const r = one({ rat: 'NR', carrierMHz: 3500, bandwidthMHz: 20, scsKHz: 30, prbTotal: prbCount('NR', 20, 30), txPowerDbm: 30 });
    expect(r.ues[0].cqi).toBe(15);
    const ratio = r.ues[0].thpDlKbps / SOURCED_KBPS;
    console.info(`38.306 DL, 20 MHz @ 30 kHz, CQI 15, 1 layer: model ${r.ues[0].thpDlKbps.toFixed(1)} kbit/s, sourced ${SOURCED_KBPS} kbit/s, ratio ${ratio.toFixed(4)}`);
    expect(ratio).toBeGreaterThan(0.98);
    expect(ratio).toBeLessThan(1.02);
  });

  it('100 MHz NR at 30 kHz (273 PRBs), 256QAM, 4 layers: within 2 % of a published calculator\'s 2337 Mbit/s', () => {
    // rfwireless-world.com "5G NR Throughput Calculator" worked example (TS 38.306 formula):
    // J = 1, Qm = 8, 4 layers, f = 1, mu = 1, 273 PRBs, OH 0.14 -> 2.337 Gbit/s.
    const SOURCED_KBPS = 2_337_000;
    const c: Carrier = { rat: 'NR', carrierMHz: 3500, bandwidthMHz: 100, scsKHz: 30, prbTotal: prbCount('NR', 100, 30), txPowerDbm: 40, mimoLayersDl: 4 };
    const ratio = one(c).ues[0].thpDlKbps / SOURCED_KBPS;
    console.info(`38.306 DL, 100 MHz @ 30 kHz, 4 layers: ratio ${ratio.toFixed(4)}`);
    expect(ratio).toBeGreaterThan(0.98);
    expect(ratio).toBeLessThan(1.02);
  });

  it('uplink peak of the same 20 MHz carrier uses OH = 0.08: 116.76 Mbit/s by hand', () => {
    // As above with OH = 0.08 (TS 38.306, FR1 uplink): 8 x 0.92578125 x 612 x 28 000 x 0.92
    // = 116 761 815 bit/s. P0 raised so the PUSCH reaches the CQI 15 threshold.
    const r = one(
      { rat: 'NR', carrierMHz: 3500, bandwidthMHz: 20, scsKHz: 30, prbTotal: 51, txPowerDbm: 30 },
      { powerControl: { p0Dbm: -60 } },
    );
    expect(r.ues[0].cqiUl).toBe(15);
    const ratio = r.ues[0].thpUlKbps / 116_761.8;
    expect(ratio).toBeGreaterThan(0.98);
    expect(ratio).toBeLessThan(1.02);
  });
});

describe('uplink', () => {
  const cell = (nPrb: number, ue: { pathLossDb: number; txPowerDbm?: number }, air: Interferer[] = []): CellModelInput => ({
    cellId: 'a1',
    operator: 'op-a',
    carrier: nr40,
    on: true,
    quota: { startPrb: 0, nPrb },
    ues: [{ id: 'u', interferenceLossDb: 100, ...ue }],
    air,
  });

  it('PUSCH power: open loop P0 + 10 log10(2^mu M) + alpha PL, capped at 23 dBm', () => {
    expect(puschPowerDbm(50, 95, 15)).toBeCloseTo(-90 + 10 * Math.log10(50) + 95, 9);
    expect(puschPowerDbm(25, 95, 30)).toBeCloseTo(-90 + 10 * Math.log10(2 * 25) + 95, 9);
    expect(puschPowerDbm(200, 110, 15)).toBe(23);
    expect(puschPowerDbm(200, 110, 15, { pMaxDbm: 20 })).toBe(20);
  });

  it('halving a UE\'s grant halves its uplink throughput (below P_CMAX: exact, tolerance 1 %)', () => {
    const full = evaluateCell(cell(50, { pathLossDb: 95 })).ues[0];
    const half = evaluateCell(cell(25, { pathLossDb: 95 })).ues[0];
    expect(full.puschPowerDbm).toBeLessThan(23);
    expect(full.thpUlKbps).toBeGreaterThan(0);
    const ratio = half.thpUlKbps / full.thpUlKbps;
    expect(Math.abs(ratio - 0.5)).toBeLessThan(0.005);
    expect(half.sinrUlDb).toBeCloseTo(full.sinrUlDb, 9);
    expect(half.prbUsedUl).toBe(25);
  });

  it('at P_CMAX a halved grant gets 3 dB more per PRB, so it keeps at least half', () => {
    const full = evaluateCell(cell(200, { pathLossDb: 110 })).ues[0];
    const half = evaluateCell(cell(100, { pathLossDb: 110 })).ues[0];
    expect(full.puschPowerDbm).toBe(23);
    expect(half.puschPowerDbm).toBe(23);
    expect(half.sinrUlDb - full.sinrUlDb).toBeCloseTo(10 * Math.log10(2), 6);
    expect(half.thpUlKbps / full.thpUlKbps).toBeGreaterThanOrEqual(0.5);
  });

  it('a weaker UE transmitter or more path loss lowers the uplink; interference costs it too', () => {
    const strong = evaluateCell(cell(200, { pathLossDb: 110 })).ues[0];
    const weak = evaluateCell(cell(200, { pathLossDb: 110, txPowerDbm: 10 })).ues[0];
    expect(weak.sinrUlDb).toBeCloseTo(strong.sinrUlDb - 13, 6);
    expect(weak.thpUlKbps).toBeLessThan(strong.thpUlKbps);
    const ul = prbSinrUlDb(nr40, { id: 'u', pathLossDb: 95, interferenceLossDb: 100 }, 50, new Array(216).fill(0));
    // Below P_CMAX the received power per PRB is P0 (alpha = 1): -90 dBm against the 5 dB NF gNB's noise.
    expect(ul[0]).toBeCloseTo(-90 - thermalNoiseDbm(180e3, 5), 9);
    const tx: Interferer = { cellId: 'b1', operator: 'op-b', on: true, ...prbRangeMHz(nr40, 0, 50), psdDbmPerPrb: psdPer180kHzDbm(nr40) };
    expect(evaluateCell(cell(50, { pathLossDb: 95 }, [tx])).ues[0].thpUlKbps).toBeLessThan(evaluateCell(cell(50, { pathLossDb: 95 })).ues[0].thpUlKbps);
  });

  it('an off cell carries no uplink', () => {
    const r = evaluateCell({ ...cell(50, { pathLossDb: 95 }), on: false });
    expect(r).toMatchObject({ prbAvailUl: 0, prbUsedUl: 0, thpUlKbps: 0 });
    expect(r.ues[0].thpUlKbps).toBe(0);
  });
});
