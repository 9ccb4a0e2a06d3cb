// The gRPC server of the twin's E2 agent, built in this one place: limits, credentials, the
// bound address, and how handler errors become gRPC statuses. The agent (agent.ts) supplies
// the three handlers and knows nothing of gRPC servers.
import * as grpc from '@grpc/grpc-js';
import { agentServerCredentials, readTlsFiles, verifiedClient, type TlsFiles } from '../../certs/index.js';
import { ComponentError, messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import {
  MAX_E2_MESSAGE_BYTES,
  loadE2Proto,
  type WireControlAck,
  type WireControlRequest,
  type WireKpmIndication,
  type WireSetupResponse,
  type WireSubscriptionRequest,
} from '../../wire/index.js';
import { LOOPBACK } from './config.js';

const log = childLog('twin.gnb');

/** A refusal with a gRPC status: what a handler throws for a request it cannot accept. */
export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export type KpmStream = grpc.ServerWritableStream<WireSubscriptionRequest, WireKpmIndication>;

export interface E2Handlers {
  setup(): WireSetupResponse;
  /** `client`: the name in the caller's verified certificate (logged with each control). */
  control(req: WireControlRequest, client: string): WireControlAck | Promise<WireControlAck>;
  subscribe(call: KpmStream): void;
}

function unary<T>(nodeId: string, cb: grpc.sendUnaryData<T>, fn: () => T | Promise<T>): void {
  const fail = (err: unknown) => {
    if (err instanceof RpcError) {
      cb({ code: err.code, details: err.message, name: 'RpcError', message: err.message, metadata: new grpc.Metadata() });
    } else {
      log.error({ node: nodeId, err: messageOf(err) }, 'handler failed');
      cb({ code: grpc.status.INTERNAL, details: 'internal error in the twin agent', name: 'Error', message: 'internal', metadata: new grpc.Metadata() });
    }
  };
  try {
    const v = fn();
    if (v instanceof Promise) v.then((x) => cb(null, x), fail);
    else cb(null, v);
  } catch (err) {
    fail(err);
  }
}

const CERT_REQUIRED = 'a client certificate from the lab CA is required';

/** The verified client's name, or an UNAUTHENTICATED refusal. */
function clientOf(call: Parameters<typeof verifiedClient>[0]): string {
  const who = verifiedClient(call);
  if (!who) throw new RpcError(grpc.status.UNAUTHENTICATED, CERT_REQUIRED);
  return who;
}

/**
 * Serve proto/e2.proto's E2Node on `listen` (a loopback host:port) over mutual TLS: only a
 * client holding a certificate from the trial's CA gets past the handshake, and every call is
 * checked for it again. Rejects with ComponentError('LISTEN_FAILED') naming the node.
 */
export async function serveE2(nodeId: string, listen: string, tls: TlsFiles, h: E2Handlers): Promise<{ server: grpc.Server; host: string; port: number }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024,
    'grpc.max_send_message_length': MAX_E2_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': 64,
  });
  server.addService(loadE2Proto().service, {
    Setup: (call: grpc.ServerUnaryCall<unknown, WireSetupResponse>, cb: grpc.sendUnaryData<WireSetupResponse>) =>
      unary(nodeId, cb, () => (clientOf(call), h.setup())),
    Control: (call: grpc.ServerUnaryCall<WireControlRequest, WireControlAck>, cb: grpc.sendUnaryData<WireControlAck>) =>
      unary(nodeId, cb, () => h.control(call.request, clientOf(call))),
    Subscribe: (call: KpmStream) => {
      if (!verifiedClient(call)) {
        call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: CERT_REQUIRED, metadata: new grpc.Metadata() });
        return;
      }
      h.subscribe(call);
    },
  });
  const m = LOOPBACK.exec(listen);
  const host = m ? m[1]! : '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, agentServerCredentials(readTlsFiles(tls, nodeId)), (err, p) => (err ? reject(err) : resolve(p))),
  ).catch((err: unknown) => {
    throw new ComponentError(nodeId, `cannot listen on ${listen}: ${messageOf(err)}`, 'LISTEN_FAILED', { cause: err });
  });
  return { server, host, port };
}

/** Graceful shutdown, forced after 2 s. */
export function shutdownServer(server: grpc.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 2000);
    server.tryShutdown(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
