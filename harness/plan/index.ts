export { contiguousSegments, equalGrants, randomSegments, quotaForCell, cellPrbLayout, usedUnits, seededRandom } from './spectrum.js';
export type { Segment, CellQuota } from './spectrum.js';
