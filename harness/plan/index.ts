export { contiguousSegments, equalGrants, randomSegments, quotaForCell, usedUnits, seededRandom } from './spectrum.js';
export type { Segment, CellQuota } from './spectrum.js';
export { carrierForSegment, smallestCarrierMHz, type CarrierGrant } from './carrier.js';
