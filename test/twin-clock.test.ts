// The twin node's time (issue 12 items 3 and 6): KPM periods on the grid of whole periods,
// each figured against the state in effect at its midpoint (so a control just before the next
// window does not reach back), and a node on virtual time that sends, when advanced, every
// period that has ended, and nothing before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Air, type AirUeReading } from '../harness/twin/air.js';
import { TwinGnb, parseTwinGnbConfig } from '../harness/twin/gnb.js';
import { CellHistory } from '../harness/twin/gnb/cell-state.js';
import { transmissionAt } from '../harness/twin/gnb/interferers.js';
import type { KpmStream, WireKpmIndication } from '../harness/wire/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ranlab-twin-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MS = 1_000_000n;

function node(clock: 'real' | 'virtual', air: string): TwinGnb {
  return new TwinGnb(
    parseTwinGnbConfig(
      {
        nodeId: 'gnb-a',
        operator: 'op-a',
        listen: '127.0.0.1:0',
        tls: { caFile: 'unused', certFile: 'unused', keyFile: 'unused' },
        airDir: air,
        clock,
        cells: [{ id: 'a1', rat: 'NR', band: 'n46', carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15, pci: 101, txPowerDbm: 30 }],
        ues: [{ id: 'ue-a', cellId: 'a1', pathLossDb: 95, interferenceLossDb: 101 }],
      },
      'test',
    ),
  );
}

/** The server side of a KPM stream, as far as the node uses it; indications are collected. */
function stream(periodMs: number): { call: KpmStream; sent: WireKpmIndication[] } {
  const sent: WireKpmIndication[] = [];
  const call = {
    request: { ranFunctionId: 2, granularityPeriodMs: periodMs, cellIds: [] },
    write: (m: WireKpmIndication) => (sent.push(m), true),
    on: () => call,
    once: () => call,
    emit: () => true,
    end: () => undefined,
  };
  return { call: call as unknown as KpmStream, sent };
}

const prbAvail = (m: WireKpmIndication) => Number(m.cellRecords.find((r) => r.name === 'RRU.PrbAvailDl')!.integer);

describe('a cell state with its history', () => {
  it('answers for a moment before its last change with the state before it', () => {
    const h = new CellHistory();
    h.set({ quota: { startPrb: 0, nPrb: 50 }, on: true }, 100n);
    h.set({ quota: { startPrb: 50, nPrb: 20 } }, 200n);
    expect(h.at(150n)).toEqual({ on: true, quota: { startPrb: 0, nPrb: 50 } });
    expect(h.at(200n)).toEqual({ on: true, quota: { startPrb: 50, nPrb: 20 } });
    const t = { cellId: 'b1', operator: 'op-b', on: true, lowMHz: 5160, highMHz: 5170, psdDbmPerPrb: 7, updatedNs: '300', sinceNs: '200', before: { on: false, lowMHz: 5150, highMHz: 5150 } };
    expect(transmissionAt(t, 199n)).toMatchObject({ on: false, lowMHz: 5150 });
    expect(transmissionAt(t, 200n)).toMatchObject({ on: true, lowMHz: 5160 });
  });
});

describe('a twin node on virtual time', () => {
  it('sends nothing until advanced, then every ended period on the grid, each against the grant in effect at its midpoint', async () => {
    const air = join(dir, 'v');
    const gnb = node('virtual', air);
    await gnb.start();
    const { call, sent } = stream(100);
    const t0 = ((BigInt(Date.now()) * MS) / (100n * MS) + 10n) * 100n * MS; // a period boundary ahead of the node's clock
    await gnb.advance({ toNs: t0.toString() });
    gnb.subscribe(call);
    await gnb.control({ ranFunctionId: 3, action: 'prbQuota', prbQuota: { cellId: 'a1', startPrb: 0, nPrb: 100 } }, 'test');
    await gnb.control({ ranFunctionId: 3, action: 'cellState', cellState: { cellId: 'a1', on: true } }, 'test');
    await new Promise((r) => setTimeout(r, 250));
    expect(sent, 'no wall timer runs').toHaveLength(0);
    const ack = await gnb.advance({ toNs: (t0 + 300n * MS).toString() });
    expect(ack).toEqual({ nodeTimeNs: (t0 + 300n * MS).toString(), indications: '3' });
    expect(sent.map((m) => BigInt(m.collectionStartTimeNs) - t0)).toEqual([0n, 100n * MS, 200n * MS]);
    expect(sent.map(prbAvail)).toEqual([100, 100, 100]);
    // A new grant at t0 + 300 ms counts from there on, and the UE reading on the air follows it.
    await gnb.control({ ranFunctionId: 3, action: 'prbQuota', prbQuota: { cellId: 'a1', startPrb: 0, nPrb: 40 } }, 'test');
    await gnb.advance({ toNs: (t0 + 500n * MS).toString() });
    expect(sent.map(prbAvail)).toEqual([100, 100, 100, 40, 40]);
    const reading = new Air(air).ueReading('ue-a') as AirUeReading;
    expect(BigInt(reading.updatedNs)).toBe(t0 + 500n * MS);
    await expect(gnb.advance({ toNs: t0.toString() })).rejects.toThrow(/cannot go back in time/);
    await gnb.stop();
  });

  it('a node on real time refuses to be advanced', async () => {
    const gnb = node('real', join(dir, 'r'));
    await gnb.start();
    await expect(gnb.advance({ toNs: '1' })).rejects.toThrow(/runs on real time/);
    await gnb.stop();
  });

  it('on real time, a grant applied after a period\'s midpoint does not change that period', async () => {
    const gnb = node('real', join(dir, 'm'));
    await gnb.start();
    await gnb.control({ ranFunctionId: 3, action: 'prbQuota', prbQuota: { cellId: 'a1', startPrb: 0, nPrb: 100 } }, 'test');
    await gnb.control({ ranFunctionId: 3, action: 'cellState', cellState: { cellId: 'a1', on: true } }, 'test');
    const { call, sent } = stream(200);
    gnb.subscribe(call);
    // Once the stream runs, wait until 150 ms into a period (past its midpoint), then change the grant.
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
    const periodNs = 200n * MS;
    const into = () => (BigInt(Date.now()) * MS) % periodNs;
    while (into() < 150n * MS || into() > 170n * MS) await new Promise((r) => setTimeout(r, 2));
    const changedIn = ((BigInt(Date.now()) * MS) / periodNs) * periodNs;
    await gnb.control({ ranFunctionId: 3, action: 'prbQuota', prbQuota: { cellId: 'a1', startPrb: 0, nPrb: 40 } }, 'test');
    while (!sent.some((m) => BigInt(m.collectionStartTimeNs) === changedIn + periodNs)) await new Promise((r) => setTimeout(r, 10));
    const period = sent.find((m) => BigInt(m.collectionStartTimeNs) === changedIn)!;
    const next = sent.find((m) => BigInt(m.collectionStartTimeNs) === changedIn + periodNs)!;
    expect(prbAvail(period), 'the period the grant arrived late in').toBe(100);
    expect(prbAvail(next), 'the next period').toBe(40);
    await gnb.stop();
  });
});
