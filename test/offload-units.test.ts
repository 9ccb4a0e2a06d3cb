// The offload measurement pieces on their own: exact nearest-rank percentiles, the load
// generator's arrival process (latency from the scheduled time), the planner's choices, and
// the paced relay's timing.
import { createServer, connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decide, nearestRank, nowMs, PacedRelay, percentiles, predictSplits, radioMoved, runLoad, type PlannerInputs } from '../harness/offload/index.js';

describe('nearest-rank percentiles', () => {
  it('are samples, ranked by ceil(p n)', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i); // 1..1000, shuffled order
    expect(nearestRank(xs, 99)).toBe(990);
    expect(nearestRank(xs, 99.9)).toBe(999);
    expect(nearestRank(xs, 50)).toBe(500);
    expect(nearestRank([7, 3, 5], 99)).toBe(7);
    expect(nearestRank([7, 3, 5], 34)).toBe(5);
    expect(percentiles([1, 2, 3, 4]).p50).toBe(2);
    expect(() => nearestRank([1], 0)).toThrow(RangeError);
  });
});

describe('load generator', () => {
  it('server scenario: Poisson arrivals keep coming while queries are stuck, timed from when each was due', async () => {
    let busyUntil = 0;
    const { results, durationMs } = await runLoad({ scenario: 'server', rateHz: 200, minDurationMs: 300, minQueries: 40, seed: 3 }, async (i, due) => {
      // One server that takes 20 ms a query: queries queue, their latency grows from their due time.
      const start = Math.max(nowMs(), busyUntil);
      busyUntil = start + 20;
      await new Promise((r) => setTimeout(r, busyUntil - nowMs()));
      return { i, due, latency: nowMs() - due };
    });
    expect(results.length).toBeGreaterThanOrEqual(40);
    expect(durationMs).toBeGreaterThanOrEqual(300);
    const dues = results.map((r) => r.due);
    expect(dues.every((d, i) => i === 0 || d > dues[i - 1]!)).toBe(true);
    // Arrivals came at ~200/s, not at the server's 50/s: the last queries waited long.
    const spanS = (dues.at(-1)! - dues[0]!) / 1000;
    expect(results.length / spanS).toBeGreaterThan(100);
    expect(results.at(-1)!.latency).toBeGreaterThan(200);
  });

  it('single-stream: the next query is due when the previous completes', async () => {
    const { results } = await runLoad({ scenario: 'single-stream', rateHz: 1, minDurationMs: 100, minQueries: 5, seed: 1 }, async (_i, due) => {
      await new Promise((r) => setTimeout(r, 10));
      return { due, end: nowMs() };
    });
    for (let i = 1; i < results.length; i++) expect(results[i]!.due).toBeGreaterThanOrEqual(results[i - 1]!.end - 0.01);
  });

  it('issuing stops at the minimums; outstanding queries complete, within the drain bound (twice the issuing time, at least 10 s) or the condition fails naming them', async () => {
    // Slow but finite: every query completes after issuing stopped, and all are kept.
    const slow = await runLoad({ scenario: 'server', rateHz: 100, minDurationMs: 200, minQueries: 10, seed: 5 }, async (i) => {
      await new Promise((r) => setTimeout(r, 400));
      return i;
    });
    expect(slow.results).toEqual(slow.results.map((_, i) => i));
    expect(slow.durationMs).toBeGreaterThanOrEqual(600);
    // One query that never completes: the condition fails after the 10 s bound, naming how many were left.
    const t0 = nowMs();
    await expect(runLoad({ scenario: 'server', rateHz: 100, minDurationMs: 100, minQueries: 5, seed: 5 }, (i) => (i === 2 ? new Promise<number>(() => {}) : Promise.resolve(i)))).rejects.toThrow(
      /1 of \d+ queries still outstanding 10\.0 s after issuing stopped/,
    );
    expect(nowMs() - t0).toBeGreaterThanOrEqual(10_000);
  }, 20_000);
});

const model: PlannerInputs = {
  ueBlockMs: [1.5, 15, 17, 18, 1],
  edgeBlockMs: [0.05, 0.5, 0.6, 0.6, 0.03],
  splitBytes: [196608, 65536, 262144, 131072, 65536, 40],
  ulKbps: 40_000,
  dlKbps: 100_000,
  airDelayMs: 4,
  edgeQueueMs: 0,
  arrivalHz: 10,
};

describe('split planner', () => {
  it('sends fewer bytes when the uplink halves, and the prediction grows with the tensor', () => {
    const p = predictSplits(model);
    expect(p).toHaveLength(6);
    expect(p[0]).toBeGreaterThan(p[1]!); // 3x the bytes of the stem's output
    const fast = decide({ kind: 'planner' }, { ...model, ulKbps: 200_000 }, { privacy: false }, 't');
    const slow = decide({ kind: 'planner' }, { ...model, ulKbps: 5_000 }, { privacy: false }, 't');
    expect(model.splitBytes[slow.split]!).toBeLessThan(model.splitBytes[fast.split]!);
  });

  it('privacy keeps the raw input on the UE; baselines are what they say', () => {
    const fastUl = { ...model, ulKbps: 10_000_000, airDelayMs: 0, ueBlockMs: [5, 5, 5, 5, 5] };
    expect(decide({ kind: 'planner' }, fastUl, { privacy: false }, 't').split).toBe(0);
    expect(decide({ kind: 'planner' }, fastUl, { privacy: true }, 't').split).toBeGreaterThan(0);
    expect(decide({ kind: 'all-local' }, model, { privacy: false }, 't').split).toBe(5);
    expect(decide({ kind: 'all-edge' }, model, { privacy: false }, 't').split).toBe(0);
    expect(decide({ kind: 'fixed', split: 2 }, model, { privacy: false }, 't').split).toBe(2);
  });

  it('re-decides only beyond the threshold', () => {
    expect(radioMoved({ ulKbps: 1000, dlKbps: 1000 }, { ulKbps: 1100, dlKbps: 1000 }, 20)).toBe(false);
    expect(radioMoved({ ulKbps: 1000, dlKbps: 1000 }, { ulKbps: 500, dlKbps: 1000 }, 20)).toBe(true);
  });
});

describe('paced relay', () => {
  it('delivers bytes at the uplink rate plus the air delay, and follows a rate change', async () => {
    const received: { at: number; n: number }[] = [];
    const sink = createServer((s) => s.on('data', (c: Buffer) => received.push({ at: nowMs(), n: c.length })));
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const { relay, address } = await PacedRelay.start('ue-t', `127.0.0.1:${(sink.address() as AddressInfo).port}`, { ulKbps: 8000, dlKbps: 8000 }, 10);
    const [host, port] = address.split(':');
    const sock = connect(Number(port), host!);
    await new Promise((r) => sock.once('connect', r));
    const total = async (bytes: number) => {
      received.length = 0;
      const t0 = nowMs();
      sock.write(Buffer.alloc(bytes));
      while (received.reduce((a, b) => a + b.n, 0) < bytes) await new Promise((r) => setTimeout(r, 2));
      return received.at(-1)!.at - t0;
    };
    // 100 kB at 8 Mbit/s = 100 ms, plus 10 ms air.
    const a = await total(100_000);
    expect(a).toBeGreaterThan(105);
    expect(a).toBeLessThan(200);
    relay.setRates({ ulKbps: 4000, dlKbps: 4000 });
    const b = await total(100_000);
    expect(b).toBeGreaterThan(205);
    sock.destroy();
    await relay.close();
    sink.close();
  });
});
