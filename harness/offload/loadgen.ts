// The load generator, after MLPerf LoadGen: it owns the arrival process, and latency counts
// from each query's scheduled time (a query issued late because the system was busy is still
// timed from when it was due: no coordinated omission). Server scenario: Poisson arrivals at
// a target rate, issued whether or not earlier queries finished. Single-stream: the next
// query is due when the previous one completes. Issuing stops once both minimums are met
// (minDurationMs and minQueries), then every outstanding query completes (nothing measured is
// dropped). The drain is bounded: a condition whose outstanding queries have not all
// completed within drainBoundMs (twice the issuing time, at least 10 s) of issuing stopping fails
// with LOADGEN_DRAIN, naming how many were left: the rate is far beyond what the policy serves.

import { ComponentError } from '../errors.js';
import { nowNs } from '../measure/types.js';

export interface LoadSettings {
  scenario: 'server' | 'single-stream';
  /** Target arrival rate, queries per second (server scenario). */
  rateHz: number;
  minDurationMs: number;
  minQueries: number;
  seed: number;
}

/** Wall-clock ms, on the same clock the edge's clock exchange is measured against. */
export const nowMs = (): number => Number(nowNs()) / 1e6;

function exponential(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a ^= a << 13;
    a >>>= 0;
    a ^= a >>> 17;
    a ^= a << 5;
    a >>>= 0;
    return -Math.log(1 - a / 4294967296);
  };
}

/** Timers round to whole ms and may fire early by a fraction of one: wait until t has passed. */
async function sleepUntil(t: number): Promise<void> {
  while (nowMs() < t) await new Promise<void>((r) => setTimeout(r, Math.max(0, Math.ceil(t - nowMs()))));
}

/** Issues queries until the minimums are met; resolves with every query's result, in issue order. */
export async function runLoad<T>(s: LoadSettings, issue: (index: number, scheduledMs: number) => Promise<T>, signal?: AbortSignal): Promise<{ results: T[]; durationMs: number }> {
  const start = nowMs();
  const results: Promise<T>[] = [];
  const done = (n: number, t: number) => n >= s.minQueries && t - start >= s.minDurationMs;
  if (s.scenario === 'server') {
    const gap = exponential(s.seed);
    let due = start;
    while (!done(results.length, due) && !signal?.aborted) {
      due += (gap() / s.rateHz) * 1000;
      await sleepUntil(due);
      results.push(issue(results.length, due));
    }
  } else {
    let due = start;
    while (!done(results.length, due) && !signal?.aborted) {
      const p = issue(results.length, due);
      results.push(p);
      await p.catch(() => undefined);
      due = nowMs();
    }
  }
  const issuedMs = nowMs() - start;
  const settled = await drain(results, drainBoundMs(issuedMs));
  return { results: settled, durationMs: nowMs() - start };
}

/** How long outstanding queries may take to complete once issuing stopped: twice the issuing time, at least 10 s. */
export const drainBoundMs = (issuingMs: number): number => Math.max(10_000, 2 * issuingMs);

async function drain<T>(pending: Promise<T>[], boundMs: number): Promise<T[]> {
  let left = pending.length;
  for (const p of pending) void p.then(() => left--, () => left--);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ComponentError('loadgen', `${left} of ${pending.length} queries still outstanding ${(boundMs / 1000).toFixed(1)} s after issuing stopped (the drain bound: twice the issuing time, at least 10 s): the rate is far beyond what this policy serves; lower offload.loadgen.rateHz`, 'LOADGEN_DRAIN')),
      boundMs,
    );
  });
  try {
    return await Promise.race([Promise.all(pending), bound]);
  } finally {
    clearTimeout(timer);
  }
}
