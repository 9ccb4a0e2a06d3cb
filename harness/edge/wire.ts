// proto/edge.proto as TypeScript sees it (proto-loader: camelCase fields, int64 as strings).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { protoDir } from '../paths.js';

export interface WireGpuStatus { index: number; name: string; utilPct: number; memUsedMib: number; memTotalMib: number; temperatureC: number; powerW: number }
export interface WireStatus {
  hostId: string; provider: string; gpus: WireGpuStatus[]; nvmlNote: string; cpuCount: number; load1: number; memFreeMib: number;
  model: string; queueDepth: number; served: string; computeNs: string;
}
export interface WireDeployRequest { model: string; seed: number; minSplit: number }
export interface WireDeployReply { model: string; provider: string; blockMs: number[] }
export interface WireInferRequest { id: string; split: number; tensor: Buffer }
export interface WireInferReply { id: string; output: Buffer; recvNs: string; startNs: string; endNs: string; sendNs: string; error: string }
export interface WireClockRequest { t1Ns: string }
export interface WireClockReply { t1Ns: string; t2Ns: string; t3Ns: string }

/** Largest message: the biggest intermediate tensor of the model plus room. */
export const MAX_EDGE_MESSAGE_BYTES = 8 * 1024 * 1024;

let loaded: grpc.ServiceClientConstructor | null = null;
export function loadEdgeProto(): grpc.ServiceClientConstructor {
  if (loaded) return loaded;
  const def = protoLoader.loadSync(join(protoDir, 'edge.proto'), { keepCase: false, longs: String, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { ranlab: { edge: { EdgeHost: grpc.ServiceClientConstructor } } };
  loaded = pkg.ranlab.edge.EdgeHost;
  return loaded;
}
