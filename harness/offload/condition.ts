// One condition for one UE: the load generator issues requests, the policy picks each one's
// split (the planner re-deciding when the UE's radio moves beyond the threshold), every
// request becomes a point, and each decision is later set against what was measured under it.
import type { Point } from '../measure/index.js';
import { runLoad, nowMs, type LoadSettings } from './loadgen.js';
import { decide, policyName, radioMoved, type Decision, type OffloadPolicy, type PlannerInputs, type Qoais } from './planner.js';
import { decisionPoint, requestPoint, type OffloadTags } from './points.js';
import type { LinkRates } from './relay.js';
import { nearestRank } from './stats.js';
import type { OffloadUe, RequestSample } from './ue.js';

export interface DecisionRecord extends Decision {
  atMs: number;
  /** First request issued under it. */
  fromIndex: number;
  measuredMeanMs: number | null;
  measuredP99Ms: number | null;
  requests: number;
}

export interface UeConditionResult {
  ue: string;
  condition: string;
  samples: RequestSample[];
  decisions: DecisionRecord[];
  durationMs: number;
}

export interface UeCondition {
  ue: OffloadUe;
  tags: OffloadTags;
  policy: OffloadPolicy;
  qoais: Qoais;
  load: LoadSettings;
  model: Omit<PlannerInputs, 'ulKbps' | 'dlKbps' | 'edgeQueueMs' | 'arrivalHz'>;
  /** The UE's current throughput (latest KPM). */
  rates(): LinkRates;
  redecidePct: number;
  write(points: Point[]): void;
}

export async function runUeCondition(c: UeCondition, signal?: AbortSignal): Promise<UeConditionResult> {
  let edgeQueueMs = 0;
  const decisions: DecisionRecord[] = [];
  const decideNow = (index: number, reason: string) => {
    const d = decide(c.policy, { ...c.model, ...c.rates(), edgeQueueMs, arrivalHz: c.load.scenario === 'server' ? c.load.rateHz : 0 }, c.qoais, reason);
    const rec: DecisionRecord = { ...d, atMs: nowMs(), fromIndex: index, measuredMeanMs: null, measuredP99Ms: null, requests: 0 };
    decisions.push(rec);
    c.write([decisionPoint(d, rec.atMs, c.tags)]);
    return rec;
  };
  let current = decideNow(0, 'start');
  const { results, durationMs } = await runLoad(
    c.load,
    async (index, scheduledMs) => {
      const r = c.rates();
      if (c.policy.kind === 'planner' && radioMoved(current, r, c.redecidePct))
        current = decideNow(index, `radio moved: uplink ${current.ulKbps.toFixed(0)} -> ${r.ulKbps.toFixed(0)} kbit/s`);
      const s = await c.ue.request(index, scheduledMs, current.split);
      // The planner's view of the edge queue: a moving mean of what replies report.
      if (s.bytesUp > 0) edgeQueueMs = 0.8 * edgeQueueMs + 0.2 * s.edgeQueueMs;
      c.write([requestPoint(s, c.tags, r.ulKbps)]);
      return s;
    },
    signal,
  );
  decisions.forEach((d, i) => {
    const to = decisions[i + 1]?.fromIndex ?? results.length;
    const e2e = results.slice(d.fromIndex, to).map((s) => s.e2eMs);
    d.requests = e2e.length;
    d.measuredMeanMs = e2e.length ? e2e.reduce((a, b) => a + b, 0) / e2e.length : null;
    d.measuredP99Ms = e2e.length ? nearestRank(e2e, 99) : null;
  });
  return { ue: c.ue.id, condition: policyName(c.policy), samples: results, decisions, durationMs };
}
