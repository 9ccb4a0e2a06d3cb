// The controller's (UE side's) client of an edge agent: mutual TLS that accepts only an agent
// certificate naming the edge host's id, unary calls bounded in time, one Infer stream per UE
// whose replies are matched to requests by id.
import * as grpc from '@grpc/grpc-js';
import { controllerCredentials, explainTlsFailure, readTlsFiles, type TlsFiles } from '../certs/index.js';
import { ComponentError, messageOf } from '../errors.js';
import { nowNs } from '../measure/types.js';
import { bestOffset, type ClockOffset, type ClockSample } from './clock.js';
import { loadEdgeProto, MAX_EDGE_MESSAGE_BYTES, type WireClockReply, type WireDeployReply, type WireInferReply, type WireInferRequest, type WireStatus } from './wire.js';

type Unary<Req, Res> = (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Res) => void) => void;

export interface InferResult {
  reply: WireInferReply;
  /** UE clock when the request was handed to the stream, and when the reply arrived, ns. */
  sentNs: bigint;
  receivedNs: bigint;
}

export class EdgeClient {
  private readonly client: grpc.Client & Record<string, unknown>;

  /** `address` may be a relay in front of the agent: TLS still checks the agent's own name. */
  constructor(
    readonly id: string,
    address: string,
    tls: TlsFiles,
  ) {
    const t = controllerCredentials(readTlsFiles(tls, 'controller'), id);
    const Ctor = loadEdgeProto();
    this.client = new Ctor(address, t.credentials, { ...t.channelOptions, 'grpc.max_receive_message_length': MAX_EDGE_MESSAGE_BYTES, 'grpc.max_send_message_length': MAX_EDGE_MESSAGE_BYTES }) as grpc.Client & Record<string, unknown>;
  }

  private call<Req, Res>(method: string, req: Req, timeoutMs: number): Promise<Res> {
    const fn = (this.client[method] as Unary<Req, Res>).bind(this.client);
    return new Promise((resolve, reject) =>
      fn(req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(new ComponentError(this.id, `${method}: ${explainTlsFailure(err.details ?? err.message) ?? err.details ?? err.message}`, 'EDGE_RPC_FAILED'));
        else resolve(res!);
      }),
    );
  }

  status(timeoutMs = 5000): Promise<WireStatus> {
    return this.call('Status', {}, timeoutMs);
  }

  deploy(model: string, seed: number, minSplit = 0, timeoutMs = 60_000): Promise<WireDeployReply> {
    return this.call('Deploy', { model, seed, minSplit }, timeoutMs);
  }

  /** `n` clock exchanges; the one with the shortest round trip is kept. */
  async syncClock(n = 8): Promise<ClockOffset> {
    const samples: ClockSample[] = [];
    for (let i = 0; i < n; i++) {
      const t1 = nowNs();
      const r = await this.call<{ t1Ns: string }, WireClockReply>('Clock', { t1Ns: String(t1) }, 5000);
      samples.push({ t1, t2: BigInt(r.t2Ns), t3: BigInt(r.t3Ns), t4: nowNs() });
    }
    return bestOffset(samples);
  }

  /** Opens an Infer stream; `infer` sends one request and resolves with its reply. */
  openStream(): InferStream {
    const stream = (this.client['Infer'] as (md?: grpc.Metadata) => grpc.ClientDuplexStream<WireInferRequest, WireInferReply>).call(this.client);
    return new InferStream(this.id, stream);
  }

  close(): void {
    this.client.close();
  }
}

export class InferStream {
  private readonly pending = new Map<string, { sentNs: bigint; resolve: (r: InferResult) => void; reject: (e: Error) => void }>();
  private broken: Error | null = null;

  constructor(
    private readonly edgeId: string,
    private readonly stream: grpc.ClientDuplexStream<WireInferRequest, WireInferReply>,
  ) {
    stream.on('data', (reply: WireInferReply) => {
      const receivedNs = nowNs();
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.error) p.reject(new ComponentError(this.edgeId, `request ${reply.id}: ${reply.error}`, 'EDGE_INFER_FAILED'));
      else p.resolve({ reply, sentNs: p.sentNs, receivedNs });
    });
    const fail = (err: Error) => {
      this.broken = new ComponentError(this.edgeId, `inference stream broke: ${messageOf(err)}`, 'EDGE_STREAM_BROKEN');
      for (const p of this.pending.values()) p.reject(this.broken);
      this.pending.clear();
    };
    stream.on('error', fail);
    stream.on('end', () => fail(new Error('the agent ended the stream')));
  }

  infer(id: bigint, split: number, tensor: Buffer): Promise<InferResult> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.pending.set(String(id), { sentNs: nowNs(), resolve, reject });
      this.stream.write({ id: String(id), split, tensor });
    });
  }

  end(): void {
    this.stream.end();
  }
}
