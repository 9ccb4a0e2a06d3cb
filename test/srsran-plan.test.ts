// What the plan tells a carrier-and-ratio base station, and the stand-in's independence from
// the backend it tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { carrierForSegment } from '../harness/plan/index.js';
import { loadAgentFile } from '../harness/ran/agent/index.js';
import { parseSrsranConfig } from '../harness/ran/srsran/config.js';
import { gnbYaml } from '../harness/ran/srsran/yaml.js';

const seg = (lowMHz: number, highMHz: number) => ({ operator: 'op-a', units: Math.round((highMHz - lowMHz) / 0.18), lowMHz, highMHz });
const n78 = { band: 'n78', scsKHz: 30 };

describe('carrier grants (srsRAN: a standard carrier, by restart, plus a PRB ratio)', () => {
  it('the largest standard bandwidth inside the segment, centred on the 30 kHz raster', () => {
    // An equal share of 40 MHz between two operators: 19.98 MHz holds 15 MHz, not 20.
    const g = carrierForSegment(n78, seg(3600, 3619.98), 19.98)!;
    expect(g.bandwidthMHz).toBe(15);
    expect(g.prbTotal).toBe(38);
    expect(g.maxRatioPct).toBe(100);
    expect(g.carrierMHz - 7.5).toBeGreaterThanOrEqual(3600);
    expect(g.carrierMHz + 7.5).toBeLessThanOrEqual(3619.98);
    expect(Math.abs(Math.round((g.carrierMHz - 3000) / 0.03) * 0.03 + 3000 - g.carrierMHz)).toBeLessThan(1e-6);
    // The whole band, 3600-3640 MHz: no raster point (3000 MHz + k x 30 kHz) centres a 40 MHz
    // carrier inside it (3619.98 would reach 3599.98), so 30 MHz.
    expect(carrierForSegment(n78, seg(3600, 3640), 40)).toMatchObject({ bandwidthMHz: 30, carrierMHz: 3619.98, prbTotal: 78 });
    expect(carrierForSegment(n78, seg(3599.98, 3639.98), 40)).toMatchObject({ bandwidthMHz: 40, carrierMHz: 3619.98, prbTotal: 106 });
  });

  it('a ratio for the part of the grant the operator uses; nothing fits: null (the cell goes off)', () => {
    expect(carrierForSegment(n78, seg(3600, 3620), 7.5)).toMatchObject({ bandwidthMHz: 15, maxRatioPct: 50, nPrb: 19 });
    expect(carrierForSegment(n78, seg(3600, 3609.9), 9.9)).toBeNull();
    expect(carrierForSegment({ band: 'n99', scsKHz: 30 }, seg(3600, 3640), 40)).toBeNull();
  });
});

describe('the stand-in gNB is a peer, not a copy', () => {
  it('imports no driver, backend or 3GPP table of the code it tests', () => {
    const dir = 'harness/twin/srsgnb';
    const imports = readdirSync(dir).flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!));
    expect(imports.filter((m) => /(^|\/)(ran|nr|plan)\//.test(m) || m.includes('/ran/'))).toEqual([]);
  });
});

describe("a lab gNB host's agent file", () => {
  it('rigs/agents/gnb-a.yaml is valid, and the gNB YAML it makes holds what a real gNB needs', async () => {
    const { raw, settings } = await loadAgentFile('rigs/agents/gnb-a.yaml');
    expect(settings).toMatchObject({ nodeId: 'gnb-a', leaseMs: 10000, listen: '0.0.0.0:50061' });
    const { nodeId: _n, operator: _o, listen: _l, tls: _t, ...rest } = raw;
    const cfg = parseSrsranConfig(rest, 'rigs/agents/gnb-a.yaml');
    const yaml = gnbYaml(cfg, { carrierMHz: 3609.99, bandwidthMHz: 15 }, 60);
    for (const want of [/device_driver: uhd/, /device_args: type=b200,serial=31B1A2F/, /addr: 10\.53\.1\.2/, /dl_arfcn: 640666/, /channel_bandwidth_MHz: 15/, /common_scs: 30/, /plmn: "00101"/, /max_prb_policy_ratio: 60/, /enable_json: true/, /bind_addr: 127\.0\.0\.1/])
      expect(yaml).toMatch(want);
    expect(() => parseSrsranConfig({ ...rest, version: '25.11' }, 'x.yaml')).toThrow('x.yaml: version: srsRAN Project 25.11 is not supported');
  });
});
