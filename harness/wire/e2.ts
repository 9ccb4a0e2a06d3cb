// The E2-style wire contract (proto/e2.proto) as TypeScript sees it: the RAN function ids,
// measurement names, limits, message shapes and the proto loader. Neutral ground: the
// controller's driver (harness/ran/e2.ts) and the agents that serve the contract (the twin's
// base station, harness/twin/gnb) both import it, and neither imports the other.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoDir } from '../paths.js';

/** A RAN function (E2AP RAN Function item). */
export interface WireRanFunction {
  id: number;
  name: string;
  oid: string;
}

/** E2SM-KPM RAN function (id, name and OID as srsRAN's E2 agent announces it). */
export const KPM_RAN_FUNCTION: WireRanFunction = { id: 2, name: 'ORAN-E2SM-KPM', oid: '1.3.6.1.4.1.53148.1.2.2.2' };
/** E2SM-RC RAN function. */
export const RC_RAN_FUNCTION: WireRanFunction = { id: 3, name: 'ORAN-E2SM-RC', oid: '1.3.6.1.4.1.53148.1.1.2.3' };

/** Granularity periods an agent accepts, ms. */
export const MIN_KPM_PERIOD_MS = 10;
export const MAX_KPM_PERIOD_MS = 60_000;

/** Largest message either side accepts, bytes (an indication for a full cell is a few KiB). */
export const MAX_E2_MESSAGE_BYTES = 1 << 20;

/** TS 28.552 measurement names on the wire (see proto/e2.proto). */
export const KPM = {
  prbAvailDl: 'RRU.PrbAvailDl',
  prbUsedDl: 'RRU.PrbUsedDl',
  prbTotDl: 'RRU.PrbTotDl',
  ueThpDl: 'DRB.UEThpDl',
  prbAvailUl: 'RRU.PrbAvailUl',
  prbUsedUl: 'RRU.PrbUsedUl',
  prbTotUl: 'RRU.PrbTotUl',
  ueThpUl: 'DRB.UEThpUl',
  sinrUl: 'SINR.UL',
  cqi: 'CQI',
  sinr: 'SINR',
  rsrp: 'RSRP',
  rsrq: 'RSRQ',
} as const;

// Message shapes as @grpc/proto-loader presents them (camelCase, uint64 as decimal strings,
// enums as names, oneof members plus a virtual field naming the one that is set).
export interface WireCell {
  cellId: string;
  rat: string;
  band: string;
  carrierMhz: number;
  bandwidthMhz: number;
  scsKhz: number;
  pci: number;
  prbTotal: number;
  on: boolean;
  arfcn: number;
  /** What a grant can be (proto GrantKind); absent or PRB_RANGE from agents before it existed. */
  grants?: 'PRB_RANGE' | 'CARRIER_AND_RATIO';
}
export interface WireSetupResponse {
  globalNodeId: string;
  operator: string;
  cells: WireCell[];
  ranFunctions: WireRanFunction[];
  nodeTimeNs: string;
  backend?: string;
  baseStation?: string;
  baseStationVersion?: string;
}
export interface WireRecord {
  name: string;
  integer?: string | number;
  real?: number;
  noValue?: boolean;
  value?: 'integer' | 'real' | 'noValue';
}
export interface WireUeRecords {
  ueId: string;
  records: WireRecord[];
}
export interface WireKpmIndication {
  globalNodeId: string;
  cellId: string;
  collectionStartTimeNs: string;
  granularityPeriodMs: number;
  sequence: string;
  cellRecords: WireRecord[];
  ueRecords: WireUeRecords[];
}
export interface WireSubscriptionRequest {
  ranFunctionId: number;
  granularityPeriodMs: number;
  cellIds: string[];
}
export interface WireControlRequest {
  ranFunctionId: number;
  prbQuota?: { cellId: string; startPrb: number; nPrb: number } | null;
  cellState?: { cellId: string; on: boolean } | null;
  carrier?: { cellId: string; carrierMhz: number; bandwidthMhz: number } | null;
  prbRatio?: { cellId: string; maxRatioPct: number } | null;
  action?: 'prbQuota' | 'cellState' | 'carrier' | 'prbRatio';
}
export interface WireControlAck {
  cellId: string;
  effectiveTimeNs?: string;
  failure?: { cause: string; message: string } | null;
  outcome?: 'effectiveTimeNs' | 'failure';
}
/** Twin only: advance a virtual-time node (proto/e2.proto, Advance). */
export interface WireClockAdvance {
  toNs: string;
}
export interface WireClockAck {
  nodeTimeNs: string;
  indications: string;
}

interface E2Package {
  client: grpc.ServiceClientConstructor;
  service: grpc.ServiceDefinition;
}
let loaded: E2Package | null = null;

/** proto/e2.proto loaded once per process: the client constructor and the service definition. */
export function loadE2Proto(): E2Package {
  if (loaded) return loaded;
  const def = protoLoader.loadSync(join(protoDir, 'e2.proto'), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { ranlab: { e2: { E2Node: grpc.ServiceClientConstructor } } };
  const client = pkg.ranlab.e2.E2Node;
  loaded = { client, service: client.service };
  return loaded;
}
