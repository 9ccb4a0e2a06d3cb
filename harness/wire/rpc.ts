// What a server of proto/e2.proto hands its handlers and what they throw: neutral ground for
// the RAN agent (harness/ran/agent) and the backends it drives (the twin's gNB among them).
import type * as grpc from '@grpc/grpc-js';
import type { WireKpmIndication, WireSubscriptionRequest } from './e2.js';

/** A refusal with a gRPC status: what a handler throws for a request it cannot accept. */
export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** The server side of one KPM subscription stream. */
export type KpmStream = grpc.ServerWritableStream<WireSubscriptionRequest, WireKpmIndication>;
