// The RAN agent's gRPC server (proto/e2.proto, service E2Node), built in this one place:
// limits, mutual-TLS credentials, the bound address, and how handler errors become gRPC
// statuses. Backends supply the handlers and know nothing of gRPC servers.
import * as grpc from '@grpc/grpc-js';
import { agentServerCredentials, readTlsFiles, rememberPeerCertificates, verifiedClient, type TlsFiles } from '../../certs/index.js';
import { ComponentError, messageOf } from '../../errors.js';
import { childLog } from '../../log.js';
import {
  MAX_E2_MESSAGE_BYTES,
  RpcError,
  loadE2Proto,
  type KpmStream,
  type WireClockAck,
  type WireClockAdvance,
  type WireControlAck,
  type WireControlRequest,
  type WireSetupResponse,
} from '../../wire/index.js';

const log = childLog('ran.agent');

export interface E2Handlers {
  setup(): WireSetupResponse;
  /** `client`: the name in the caller's verified certificate (logged with each control). */
  control(req: WireControlRequest, client: string): WireControlAck | Promise<WireControlAck>;
  subscribe(call: KpmStream): void;
  /** Twin only: advance a virtual-time node; absent: the call is UNIMPLEMENTED. */
  advance?(req: WireClockAdvance): Promise<WireClockAck>;
  /** Every call that passed the certificate check (the lease renews on it). */
  onAuthenticated?(client: string): void;
}

function unary<T>(nodeId: string, cb: grpc.sendUnaryData<T>, fn: () => T | Promise<T>): void {
  const fail = (err: unknown) => {
    if (err instanceof RpcError) {
      cb({ code: err.code, details: err.message, name: 'RpcError', message: err.message, metadata: new grpc.Metadata() });
    } else {
      log.error({ node: nodeId, err: messageOf(err) }, 'handler failed');
      cb({ code: grpc.status.INTERNAL, details: 'internal error in the RAN agent', name: 'Error', message: 'internal', metadata: new grpc.Metadata() });
    }
  };
  let v: T | Promise<T>;
  try {
    v = fn();
  } catch (err) {
    fail(err);
    return;
  }
  // A handler that answers at once is answered in the same turn (most controls).
  if (v instanceof Promise) v.then((r) => cb(null, r), fail);
  else cb(null, v);
}

const CERT_REQUIRED = 'a client certificate from the lab CA is required';

/**
 * Serve E2Node on `listen` (host:port) over mutual TLS: only a client holding a certificate
 * from the CA in `tls` gets past the handshake, and every call is checked for it again.
 * Rejects with ComponentError('LISTEN_FAILED') naming the node.
 */
export async function serveE2(nodeId: string, listen: string, tls: TlsFiles, h: E2Handlers): Promise<{ server: grpc.Server; host: string; port: number }> {
  rememberPeerCertificates();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024,
    'grpc.max_send_message_length': MAX_E2_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': 64,
    // No channelz: nothing reads it, and its bookkeeping is a share of every call's cost.
    'grpc.enable_channelz': 0,
  });
  const clientOf = (call: Parameters<typeof verifiedClient>[0]): string => {
    const who = verifiedClient(call);
    if (!who) throw new RpcError(grpc.status.UNAUTHENTICATED, CERT_REQUIRED);
    h.onAuthenticated?.(who);
    return who;
  };
  server.addService(loadE2Proto().service, {
    Setup: (call: grpc.ServerUnaryCall<unknown, WireSetupResponse>, cb: grpc.sendUnaryData<WireSetupResponse>) =>
      unary(nodeId, cb, () => (clientOf(call), h.setup())),
    Control: (call: grpc.ServerUnaryCall<WireControlRequest, WireControlAck>, cb: grpc.sendUnaryData<WireControlAck>) =>
      unary(nodeId, cb, () => h.control(call.request, clientOf(call))),
    Advance: (call: grpc.ServerUnaryCall<WireClockAdvance, WireClockAck>, cb: grpc.sendUnaryData<WireClockAck>) =>
      unary(nodeId, cb, () => {
        clientOf(call);
        if (!h.advance) throw new RpcError(grpc.status.UNIMPLEMENTED, `node ${nodeId} has no virtual clock (Advance is for twin nodes)`);
        return h.advance(call.request);
      }),
    Subscribe: (call: KpmStream) => {
      const who = verifiedClient(call);
      if (!who) {
        call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: CERT_REQUIRED, metadata: new grpc.Metadata() });
        return;
      }
      h.onAuthenticated?.(who);
      h.subscribe(call);
    },
  });
  const m = /^(.*):(\d{1,5})$/.exec(listen);
  const host = m ? m[1]!.replace(/^\[|\]$/g, '') : '127.0.0.1';
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
