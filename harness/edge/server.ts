// `ranlab edge-agent`: serves proto/edge.proto over mutual TLS (only clients holding a
// certificate from the lab CA get in; every call is checked for it again).
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { agentServerCredentials, readTlsFiles, rememberPeerCertificates, verifiedClient } from '../certs/index.js';
import { ConfigError, ComponentError, messageOf } from '../errors.js';
import { nowNs } from '../measure/types.js';
import { exitWithParent } from '../proc/index.js';
import { EdgeService } from './agent.js';
import { openTelemetry, type HostTelemetry } from './telemetry.js';
import { loadEdgeProto, MAX_EDGE_MESSAGE_BYTES, type WireClockReply, type WireClockRequest, type WireDeployReply, type WireDeployRequest, type WireInferReply, type WireInferRequest, type WireStatus } from './wire.js';

export const edgeAgentConfigSchema = z.strictObject({
  id: z.string().min(1),
  listen: z.string().regex(/^[A-Za-z0-9_.\-[\]:]+:\d{1,5}$/, 'host:port'),
  tls: z.strictObject({ caFile: z.string(), certFile: z.string(), keyFile: z.string() }),
});
export type EdgeAgentConfig = z.infer<typeof edgeAgentConfigSchema>;

const CERT_REQUIRED = 'a client certificate from the lab CA is required';
const status = (code: grpc.status, message: string): grpc.ServiceError => Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });

export interface EdgePeers {
  /** Every peer an Infer stream came from ("ipv4:127.0.0.2:40000"): a lab shows its UEs' data-session addresses. */
  readonly infer: string[];
  onInfer?: (peer: string) => void;
}

export async function serveEdge(cfg: EdgeAgentConfig): Promise<{ server: grpc.Server; port: number; service: EdgeService; telemetry: HostTelemetry; peers: EdgePeers }> {
  const service = new EdgeService();
  const peers: EdgePeers = { infer: [] };
  const telemetry = await openTelemetry();
  rememberPeerCertificates();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': MAX_EDGE_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_EDGE_MESSAGE_BYTES });
  const authed = (call: Parameters<typeof verifiedClient>[0]) => verifiedClient(call) !== null;
  server.addService(loadEdgeProto().service, {
    Status: (call: grpc.ServerUnaryCall<unknown, WireStatus>, cb: grpc.sendUnaryData<WireStatus>) => {
      if (!authed(call)) return cb(status(grpc.status.UNAUTHENTICATED, CERT_REQUIRED));
      telemetry.gpus().then(
        (gpus) => cb(null, { hostId: cfg.id, provider: 'cpu', gpus, nvmlNote: telemetry.nvmlNote, ...telemetry.cpu(), model: service.model, queueDepth: service.queueDepth, served: String(service.served), computeNs: String(service.computeNs) }),
        (err: unknown) => cb(status(grpc.status.INTERNAL, `NVML: ${messageOf(err)}`)),
      );
    },
    Deploy: (call: grpc.ServerUnaryCall<WireDeployRequest, WireDeployReply>, cb: grpc.sendUnaryData<WireDeployReply>) => {
      if (!authed(call)) return cb(status(grpc.status.UNAUTHENTICATED, CERT_REQUIRED));
      service.deploy(call.request.model, call.request.seed, call.request.minSplit).then(
        (r) => cb(null, r),
        (err: unknown) => cb(status(grpc.status.INVALID_ARGUMENT, messageOf(err))),
      );
    },
    Infer: (call: grpc.ServerDuplexStream<WireInferRequest, WireInferReply>) => {
      if (!authed(call)) {
        call.emit('error', status(grpc.status.UNAUTHENTICATED, CERT_REQUIRED));
        return;
      }
      peers.infer.push(call.getPeer());
      peers.onInfer?.(call.getPeer());
      let open = true;
      call.on('data', (req: WireInferRequest) => service.submit(req, (reply) => open && call.write(reply)));
      call.on('end', () => {
        open = false;
        call.end();
      });
      call.on('error', () => (open = false));
    },
    Clock: (call: grpc.ServerUnaryCall<WireClockRequest, WireClockReply>, cb: grpc.sendUnaryData<WireClockReply>) => {
      const t2 = nowNs();
      if (!authed(call)) return cb(status(grpc.status.UNAUTHENTICATED, CERT_REQUIRED));
      cb(null, { t1Ns: call.request.t1Ns, t2Ns: String(t2), t3Ns: String(nowNs()) });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(cfg.listen, agentServerCredentials(readTlsFiles(cfg.tls, cfg.id)), (err, p) => (err ? reject(err) : resolve(p))),
  ).catch((err: unknown) => {
    throw new ComponentError(cfg.id, `cannot listen on ${cfg.listen}: ${messageOf(err)}`, 'LISTEN_FAILED', { cause: err });
  });
  return { server, port, service, telemetry, peers };
}

/** The CLI's entry: read the config, serve, print the ready line, stop on SIGTERM/SIGINT. */
export async function runEdgeAgent(configFile: string): Promise<void> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch (err) {
    throw new ConfigError(`edge agent config ${configFile}: ${messageOf(err)}`, 'EDGE_CONFIG');
  }
  const parsed = edgeAgentConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`edge agent config ${configFile}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'EDGE_CONFIG');
  const cfg = parsed.data;
  const { server, port, service, telemetry, peers } = await serveEdge(cfg);
  peers.onInfer = (peer) => process.stdout.write(`edge agent ${cfg.id}: inference stream from ${peer}\n`);
  const host = cfg.listen.replace(/:\d+$/, '');
  process.stdout.write(`edge agent ${cfg.id} listening on ${host}:${port}\n`);
  const cleanup = async () => {
    server.forceShutdown();
    await Promise.all([service.close(), telemetry.close()]);
  };
  const stop = () => void cleanup().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  exitWithParent(cleanup);
}
