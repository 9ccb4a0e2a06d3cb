// The split planner (seed 002, 6.3: the controller Dinfer_C). From per-block compute times
// measured at bring-up on both sides, the tensor size at each split, the UE's current uplink
// and downlink throughput and the edge's recent queueing, it predicts each split point's
// latency (compute and transfer, plus M/D/1 queueing at the UE's engine and uplink for Poisson
// load) and picks the fastest that meets the QoAIS (p99 bound; privacy: the raw input never
// leaves the UE, so split 0 is out). It re-decides when the radio moves beyond a threshold.
// Baselines run as policies too: all-local (k = n), all-edge (k = 0), fixed k.

export type OffloadPolicy = { kind: 'planner' } | { kind: 'all-local' } | { kind: 'all-edge' } | { kind: 'fixed'; split: number };

export function policyName(p: OffloadPolicy): string {
  return p.kind === 'fixed' ? `fixed-${p.split}` : p.kind;
}

export function parsePolicy(s: string): OffloadPolicy {
  if (s === 'planner' || s === 'all-local' || s === 'all-edge') return { kind: s };
  const m = /^fixed[:-](\d+)$/.exec(s);
  if (m) return { kind: 'fixed', split: Number(m[1]) };
  throw new Error(`offload policy "${s}": expected planner, all-local, all-edge or fixed:<k>`);
}

export interface PlannerInputs {
  /** UE per-block compute, ms (as the UE runs them: slowdown included). */
  ueBlockMs: number[];
  edgeBlockMs: number[];
  /** Bytes crossing the link at split k (k = 0..n); the last is the result. */
  splitBytes: number[];
  ulKbps: number;
  dlKbps: number;
  airDelayMs: number;
  /** Recent mean wait in the edge's queue, ms. */
  edgeQueueMs: number;
  /** The UE's request rate (Poisson), per second; 0 for single-stream (nothing queues). */
  arrivalHz: number;
}

/** HTTP/2's default flow-control window: a tensor larger than it waits a round trip per further window. */
export const FLOW_WINDOW_BYTES = 65_535;

/** Mean wait in an M/D/1 queue (Poisson arrivals, fixed service time), ms; Infinity when overloaded. */
export function mdlWaitMs(arrivalHz: number, serviceMs: number): number {
  const rho = (arrivalHz / 1000) * serviceMs;
  if (rho >= 1) return Infinity;
  return (rho * serviceMs) / (2 * (1 - rho));
}

export interface Qoais {
  p99Ms?: number;
  /** The raw input never leaves the UE. */
  privacy: boolean;
}

/** Predicted latency of every split point k = 0..n, ms. */
export function predictSplits(x: PlannerInputs): number[] {
  const n = x.ueBlockMs.length;
  const sum = (a: number[], from: number, to: number) => a.slice(from, to).reduce((s, v) => s + v, 0);
  const out: number[] = [];
  for (let k = 0; k <= n; k++) {
    // The UE's engine and its uplink are each a queue the requests share.
    const headS = sum(x.ueBlockMs, 0, k);
    const head = headS + mdlWaitMs(x.arrivalHz, headS);
    if (k === n) {
      out.push(head);
      continue;
    }
    const windows = Math.ceil(x.splitBytes[k]! / FLOW_WINDOW_BYTES);
    const upS = (x.splitBytes[k]! * 8) / Math.max(1, x.ulKbps) + (windows - 1) * 2 * x.airDelayMs;
    const up = upS + mdlWaitMs(x.arrivalHz, upS) + x.airDelayMs;
    const down = (x.splitBytes[n]! * 8) / Math.max(1, x.dlKbps) + x.airDelayMs;
    out.push(head + up + x.edgeQueueMs + sum(x.edgeBlockMs, k, n) + down);
  }
  return out;
}

export interface Decision {
  split: number;
  predictedMs: number;
  /** Every split's prediction, index k. */
  predictions: number[];
  meetsTarget: boolean;
  ulKbps: number;
  dlKbps: number;
  reason: string;
}

/** The split a policy runs now. */
export function decide(policy: OffloadPolicy, x: PlannerInputs, q: Qoais, reason: string): Decision {
  const predictions = predictSplits(x);
  const n = x.ueBlockMs.length;
  let split: number;
  if (policy.kind === 'all-local') split = n;
  else if (policy.kind === 'all-edge') split = 0;
  else if (policy.kind === 'fixed') split = Math.min(n, policy.split);
  else {
    const allowed = predictions.map((p, k) => ({ p, k })).filter(({ k }) => !(q.privacy && k === 0));
    const meeting = allowed.filter(({ p }) => q.p99Ms === undefined || p <= q.p99Ms);
    split = (meeting.length ? meeting : allowed).reduce((a, b) => (b.p < a.p ? b : a)).k;
  }
  const predictedMs = predictions[split]!;
  return { split, predictedMs, predictions, meetsTarget: q.p99Ms === undefined || predictedMs <= q.p99Ms, ulKbps: x.ulKbps, dlKbps: x.dlKbps, reason };
}

/** True when the radio moved enough since the last decision to decide again. */
export function radioMoved(last: { ulKbps: number; dlKbps: number }, now: { ulKbps: number; dlKbps: number }, thresholdPct: number): boolean {
  const rel = (a: number, b: number) => Math.abs(b - a) / Math.max(1, a);
  return rel(last.ulKbps, now.ulKbps) * 100 > thresholdPct || rel(last.dlKbps, now.dlKbps) * 100 > thresholdPct;
}
