// harness/offload: split inference between a UE and an edge host, measured after MLPerf LoadGen.
export { PATCHNET, BlockRunner, sampleInput, splitBytes, splitShapes, buildBlocks, type ModelSpec } from './model/index.js';
export { runLoad, nowMs, type LoadSettings } from './loadgen.js';
export { nearestRank, percentiles, distribution, PERCENTILES, type Percentiles } from './stats.js';
export { PacedRelay, BoundPath, type LinkRates } from './relay.js';
export { decide, predictSplits, radioMoved, parsePolicy, policyName, type Decision, type OffloadPolicy, type PlannerInputs, type Qoais } from './planner.js';
export { OffloadUe, describeUeHosts, type RequestSample, type UeCpuLimit, type UeHostOptions } from './ue.js';
export { runUeHost, createCpuQuota, cpuHierarchies, quotaFor, type CpuQuota } from './uehost/index.js';
export { runUeCondition, type UeConditionResult, type DecisionRecord } from './condition.js';
export { requestPoint, decisionPoint, type OffloadTags } from './points.js';
export { startTrialMarket, type MarketSettlement, type TrialMarket } from './market.js';
