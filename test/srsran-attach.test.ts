// The srsran-project backend in attach mode against peers written here from facts/RAN.md:
// a remote-control WebSocket that answers as 25.10 does (sorted keys, its timestamp format)
// and sends 25.10 metrics frames, and a 25.04 gNB's UDP metrics. The values reaching the
// controller equal the frames' after unit conversion; an unknown frame is reported, not fatal.
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeTrialCerts, readTlsFiles, type TlsPems, type TrialCerts } from '../harness/certs/index.js';
import { freePort } from '../harness/proc/index.js';
import { backendNamed, RanAgent } from '../harness/ran/agent/index.js';
import { createBaseStation, type BaseStation, type KpmIndication } from '../harness/ran/index.js';

let tmp: string;
let certs: TrialCerts;
let ctl: TlsPems;
const stops: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-attach-'));
  certs = await makeTrialCerts(join(tmp, 'certs'), ['gnb-w', 'gnb-u']);
  ctl = readTlsFiles(certs.controller, 'controller');
});
afterAll(async () => {
  for (const s of stops.reverse()) await s();
  rmSync(tmp, { recursive: true, force: true });
});

const until = async <T>(f: () => T | undefined | null | false, ms: number, what: string): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const ts = () => new Date().toISOString().replace('Z', '');
// A 25.10 scheduler report as the gNB prints it: keys sorted, pretty-printed, float artefacts.
const CELLS_25_10 = `{
  "cells": [
    {
      "cell_metrics": {
        "average_latency": 181,
        "avg_prach_delay": 0.0,
        "error_indication_count": 0,
        "late_dl_harqs": 0,
        "late_ul_harqs": 0,
        "latency_histogram": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        "max_latency": 420,
        "msg3_nof_nok": 0,
        "msg3_nof_ok": 1,
        "nof_failed_pdcch_allocs": 0,
        "nof_failed_uci_allocs": 0,
        "pci": 7,
        "pdsch_prbs_used_per_tdd_slot_idx": [40, 40, 40, 38, 40, 40, 40, 0, 0, 0],
        "pucch_tot_rb_usage_avg": 0.5
      },
      "event_list": [
        {
          "event_type": "ue_create",
          "rnti": 17921,
          "slot": "112.4"
        }
      ],
      "ue_list": [
        {
          "bsr": 90000,
          "cqi": 13,
          "dl_brate": 4583000.0,
          "dl_bs": 150000,
          "dl_mcs": 23,
          "dl_nof_nok": 8,
          "dl_nof_ok": 800,
          "dl_ri": 1.0,
          "pci": 7,
          "pusch_snr_db": 26.700000762939453,
          "rnti": 17921,
          "ta_ns": 0.0,
          "ue": 0,
          "ul_brate": 123456.0,
          "ul_mcs": 20,
          "ul_nof_nok": 4,
          "ul_nof_ok": 400,
          "ul_ri": 1.0
        },
        {
          "bsr": 0,
          "dl_brate": 1.5e6,
          "dl_bs": 0,
          "pci": 7,
          "rnti": 17922,
          "ue": 1,
          "ul_brate": 0
        }
      ]
    }
  ],
  "timestamp": "${ts()}"
}
`;

/** A remote-control server answering as 25.10 does (facts/RAN.md §1.1, §5). */
async function wsPeer(version: '25.10' | '25.04', frames: () => string[]) {
  const port = await freePort();
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise((r) => wss.once('listening', r));
  const got: string[] = [];
  wss.on('connection', (ws: WebSocket) => {
    let timer: NodeJS.Timeout | undefined;
    ws.on('close', () => clearInterval(timer));
    ws.on('message', (d) => {
      const req = JSON.parse(String(d)) as { cmd: string };
      got.push(req.cmd);
      if (req.cmd === 'metrics_subscribe' && version === '25.10') {
        ws.send(`{"cmd":"metrics_subscribe","timestamp":"${ts()}"}`);
        timer = setInterval(() => frames().forEach((f) => ws.send(f)), 100);
      } else if (['quit', 'ssb_set'].includes(req.cmd) || (version === '25.10' && req.cmd === 'rrm_policy_ratio_set')) ws.send(`{"cmd":"${req.cmd}","timestamp":"${ts()}"}`);
      else ws.send(`{"cmd":"${req.cmd}","error":"Unknown command type: ${req.cmd}","timestamp":"${ts()}"}`);
    });
  });
  stops.push(() => new Promise<void>((r) => wss.close(() => r())));
  return { port, got };
}

async function attachAgent(id: string, extra: Record<string, unknown>) {
  const settings = { nodeId: id, operator: 'op-a', listen: '127.0.0.1:0', tls: certs.agents.get(id)!, leaseMs: 5000 };
  const raw = {
    mode: 'attach',
    plmn: '00101',
    slice: { sst: 1 },
    core: { noCore: true },
    radio: { deviceDriver: 'uhd', deviceArgs: 'type=b200' },
    cell: { id: `${id}-c1`, band: 'n78', carrierMHz: 3610.02, bandwidthMHz: 20, scsKHz: 30, pci: 7 },
    ...extra,
  };
  const backend = await backendNamed('srsran-project').create(raw, `${id}.yaml`, settings);
  const agent = new RanAgent(settings, backend, 'srsran-project');
  const { host, port } = await agent.start();
  stops.push(() => agent.stop());
  const bs: BaseStation = createBaseStation(id, `${host}:${port}`, { tls: ctl });
  stops.push(() => bs.close());
  return { backend: backend as unknown as { unknown: Map<string, number> }, bs };
}

describe('srsran-project attach mode', () => {
  it('25.10 frames over the WebSocket become KPM with the frames’ values; an unknown frame is reported, not fatal', async () => {
    const du = () => `{\n  "du": {\n    "du_high": null\n  },\n  "timestamp": "${ts()}"\n}\n`;
    const odd = `{"quantum_metrics":{"x":1},"timestamp":"${ts()}"}`;
    const peer = await wsPeer('25.10', () => [du(), CELLS_25_10, odd]);
    const { backend, bs } = await attachAgent('gnb-w', { version: '25.10', remoteControl: { address: `127.0.0.1:${peer.port}` }, duReportPeriodMs: 100 });
    const setup = await bs.setup();
    expect(setup).toMatchObject({ backend: 'srsran-project', cells: [{ on: true, grants: 'carrier-and-ratio' }] });
    const got: KpmIndication[] = [];
    const errors: Error[] = [];
    bs.subscribe(100, (i) => got.push(i), (e) => errors.push(e));
    const ind = await until(() => got.find((i) => i.ues.length === 2), 3000, 'KPM from the frames');
    expect(ind.thpDlKbps).toBe(4583 + 1500);
    expect(ind.thpUlKbps).toBeCloseTo(123.456, 9);
    expect(ind.prbUsedDl).toBe(40);
    expect(ind.ues[0]).toEqual({ ueId: 'rnti-17921', thpDlKbps: 4583, thpUlKbps: 123.456, cqi: 13, sinrUlDb: 26.700000762939453, prbUsedDl: undefined, sinrDb: undefined, rsrpDbm: undefined, prbUsedUl: undefined });
    // The second UE has no CQI report and no PUSCH SNR: absent, not 0.
    expect(ind.ues[1]!.cqi).toBeUndefined();
    expect(ind.ues[1]!.sinrUlDb).toBeUndefined();
    const n = got.length;
    await until(() => got.length >= n + 3, 3000, 'KPM to go on after the unknown frame');
    expect(errors).toEqual([]);
    expect([...backend.unknown.keys()]).toEqual(['keys quantum_metrics, timestamp']);
    expect(peer.got).toContain('metrics_subscribe');
    // A carrier change needs a restart, which attach mode does not do.
    await expect(bs.control({ kind: 'carrier', cellId: 'gnb-w-c1', carrierMHz: 3605.01, bandwidthMHz: 10 })).rejects.toThrow(
      /rejected: FAILED_PRECONDITION: cell gnb-w-c1: attach mode cannot change the carrier/,
    );
    // A quota it can apply, confirmed from the scheduler's PRB use (40 of 51 PRBs within 80 %).
    await bs.control({ kind: 'prbRatio', cellId: 'gnb-w-c1', maxRatioPct: 80, nPrb: 40 });
    expect(peer.got).toContain('rrm_policy_ratio_set');
  }, 20_000);

  it('25.04 metrics over UDP through the adapter; another version is refused naming it', async () => {
    const peer = await wsPeer('25.04', () => []);
    const udpPort = await freePort();
    const { bs } = await attachAgent('gnb-u', { version: '25.04', remoteControl: { address: `127.0.0.1:${peer.port}` }, metricsUdp: { address: `127.0.0.1:${udpPort}` } });
    await bs.setup();
    const got: KpmIndication[] = [];
    bs.subscribe(200, (i) => got.push(i), () => undefined);
    // 25.04: one object per cell, containers, every field printed (cqi 0 = no report), whole floats without ".0".
    const frame = `{
  "cell_metrics": {
    "average_latency": 190,
    "avg_prach_delay": null,
    "error_indication_count": 0,
    "max_latency": 400
  },
  "event_list": [
  ],
  "timestamp": ${Date.now() / 1000},
  "ue_list": [
    {
      "ue_container": {
        "cqi": 0,
        "dl_brate": 4583000,
        "dl_ri": 1,
        "pci": 7,
        "pusch_snr_db": 3.750000,
        "rnti": 17921,
        "ul_brate": 51000,
        "ul_ri": 1
      }
    }
  ]
}`;
    const udp = createSocket('udp4');
    stops.push(() => udp.close());
    const timer = setInterval(() => udp.send(frame, udpPort, '127.0.0.1'), 100);
    stops.push(() => clearInterval(timer));
    const ind = await until(() => got.find((i) => i.ues.length === 1), 3000, 'KPM from UDP');
    expect(ind.ues[0]).toMatchObject({ ueId: 'rnti-17921', thpDlKbps: 4583, thpUlKbps: 51, sinrUlDb: 3.75 });
    expect(ind.ues[0]!.cqi).toBeUndefined();
    // 25.04 carries no PRB use: absent, never invented.
    expect(ind.prbUsedDl).toBeUndefined();
    // No run-time quota in 25.04: grants apply by retune only.
    await expect(bs.control({ kind: 'prbRatio', cellId: 'gnb-u-c1', maxRatioPct: 50, nPrb: 25 })).rejects.toThrow(/25\.04 has no run-time PRB quota/);
    await expect(
      backendNamed('srsran-project').create({ mode: 'attach', version: '24.10', plmn: '00101', core: { noCore: true }, radio: {}, cell: { id: 'c', band: 'n78', carrierMHz: 3610, bandwidthMHz: 20, scsKHz: 30, pci: 1 } }, 'old.yaml', {
        nodeId: 'x', operator: 'o', listen: '127.0.0.1:0', tls: certs.controller, leaseMs: 5000,
      }),
    ).rejects.toThrow('old.yaml: version: srsRAN Project 24.10 is not supported (supported: 25.10, 25.04)');
  }, 20_000);

  it('managed with a UHD radio: the USRP is checked on the agent\'s host before the gNB may take it', async () => {
    const settings = { nodeId: 'gnb-r', operator: 'op-a', listen: '127.0.0.1:0', tls: certs.controller, leaseMs: 5000 };
    const raw = {
      mode: 'managed',
      gnb: { binary: process.execPath, workDir: join(tmp, 'gnb-r') },
      plmn: '00101',
      core: { noCore: true },
      radio: { deviceDriver: 'uhd', deviceArgs: 'type=b200,serial=NOSUCH', requireRefLock: true },
      cell: { id: 'gnb-r-c1', band: 'n78', carrierMHz: 3610.02, bandwidthMHz: 20, scsKHz: 30, pci: 1 },
    };
    const backend = await backendNamed('srsran-project').create(raw, 'gnb-r.yaml', settings);
    // The real libuhd: this machine has no USRP.
    await expect(backend.start()).rejects.toThrow('gnb-r/usrp: no USRP matches "type=b200,serial=NOSUCH" on this host');
    await backend.stop();
  });
});
