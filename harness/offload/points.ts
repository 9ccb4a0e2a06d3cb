// InfluxDB points of offload trials: one per request (every stage), one per planner decision.
import type { Point } from '../measure/index.js';
import type { Decision } from './planner.js';
import type { RequestSample } from './ue.js';

export interface OffloadTags {
  rig: string;
  trial: string;
  ue: string;
  edge: string;
  condition: string;
  policy: string;
}

const ns = (ms: number) => BigInt(Math.round(ms * 1e6));

/** Timestamped at the request's scheduled time (unique per UE and condition). */
export function requestPoint(s: RequestSample, tags: OffloadTags, ulKbps: number): Point {
  return {
    measurement: 'offload_request',
    tags: { ...tags },
    timestampNs: ns(s.scheduledMs),
    fields: {
      index: s.index,
      split: s.split,
      headQueueMs: s.headQueueMs,
      headMs: s.headMs,
      uplinkMs: s.uplinkMs,
      edgeQueueMs: s.edgeQueueMs,
      edgeComputeMs: s.edgeComputeMs,
      downlinkMs: s.downlinkMs,
      e2eMs: s.e2eMs,
      clockErrMs: s.clockErrMs,
      bytesUp: s.bytesUp,
      ulKbps,
    },
  };
}

export function decisionPoint(d: Decision, atMs: number, tags: OffloadTags): Point {
  return {
    measurement: 'offload_decision',
    tags: { ...tags },
    timestampNs: ns(atMs),
    // An overloaded split's prediction is Infinity (its queue grows without bound): the point
    // then has no predictedMs (InfluxDB stores finite numbers only) and meetsTarget false.
    fields: { split: d.split, ...(Number.isFinite(d.predictedMs) ? { predictedMs: d.predictedMs } : {}), ulKbps: d.ulKbps, dlKbps: d.dlKbps, meetsTarget: d.meetsTarget },
  };
}
