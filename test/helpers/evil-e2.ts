// A hostile (or, until told otherwise, honest) base-station agent for tests: a gRPC server of
// proto/e2.proto written from the proto, not from ranlab's driver or twin (it loads the proto
// itself and formats its own messages). It keeps each cell's state as an agent must, answers
// Setup and Control, and sends one KPM indication per cell per period; `tamper` rewrites an
// indication just before it goes out, `setup` rewrites the Setup answer, `flood` sends as fast
// as the stream takes them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export interface EvilCell {
  cellId: string;
  rat: 'NR' | 'LTE';
  band: string;
  carrierMhz: number;
  bandwidthMhz: number;
  scsKhz: number;
  pci: number;
  prbTotal: number;
  arfcn: number;
}

export type Rec = { name: string; integer?: string; real?: number; noValue?: boolean };
export interface Indication {
  globalNodeId: string;
  cellId: string;
  collectionStartTimeNs: string;
  granularityPeriodMs: number;
  sequence: string;
  cellRecords: Rec[];
  ueRecords: { ueId: string; records: Rec[] }[];
}

export interface EvilOptions {
  nodeId: string;
  operator: string;
  cells: EvilCell[];
  /** PEM files: the lab CA (to check clients against), this agent's certificate and key. */
  tls: { caFile: string; certFile: string; keyFile: string };
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

export class EvilAgent {
  /** Rewrite the next indications (k counts indications sent on this subscription, from 1). */
  tamper: ((ind: Indication, k: number) => Indication) | null = null;
  /** Rewrite the Setup answer. */
  setup: ((res: Record<string, unknown>) => Record<string, unknown>) | null = null;
  /** Rewrite Control acknowledgements. */
  ack: ((ack: { cellId: string; effectiveTimeNs: string }) => object) | null = null;
  /** Send this many indications back to back on the next subscription, then behave. */
  flood = 0;
  readonly state = new Map<string, { on: boolean; nPrb: number }>();
  sent = 0;
  private server = new grpc.Server();
  port = 0;

  constructor(private readonly o: EvilOptions) {
    for (const c of o.cells) this.state.set(c.cellId, { on: false, nPrb: 0 });
  }

  async start(): Promise<string> {
    const def = protoLoader.loadSync(join(process.cwd(), 'proto', 'e2.proto'), { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { ranlab: { e2: { E2Node: grpc.ServiceClientConstructor } } };
    this.server.addService(pkg.ranlab.e2.E2Node.service, {
      Setup: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
        const res = {
          globalNodeId: this.o.nodeId,
          operator: this.o.operator,
          cells: this.o.cells.map((c) => ({ ...c, on: this.state.get(c.cellId)!.on })),
          ranFunctions: [
            { id: 2, name: 'ORAN-E2SM-KPM', oid: '1.3.6.1.4.1.53148.1.2.2.2' },
            { id: 3, name: 'ORAN-E2SM-RC', oid: '1.3.6.1.4.1.53148.1.1.2.3' },
          ],
          nodeTimeNs: nowNs().toString(),
        };
        cb(null, this.setup ? this.setup(res) : res);
      },
      Control: (call: grpc.ServerUnaryCall<{ prbQuota?: { cellId: string; nPrb: number }; cellState?: { cellId: string; on: boolean } }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const r = call.request;
        const id = r.prbQuota?.cellId ?? r.cellState?.cellId ?? '';
        const s = this.state.get(id);
        if (!s) return cb({ code: grpc.status.NOT_FOUND, details: `no cell ${id}` });
        if (r.prbQuota) s.nPrb = r.prbQuota.nPrb;
        if (r.cellState) s.on = r.cellState.on;
        const ack = { cellId: id, effectiveTimeNs: nowNs().toString() };
        cb(null, this.ack ? this.ack(ack) : ack);
      },
      Subscribe: (call: grpc.ServerWritableStream<{ granularityPeriodMs: number }, Indication>) => this.serve(call),
    });
    const creds = grpc.ServerCredentials.createSsl(
      readFileSync(this.o.tls.caFile),
      [{ private_key: readFileSync(this.o.tls.keyFile), cert_chain: readFileSync(this.o.tls.certFile) }],
      true,
    );
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))));
    return `127.0.0.1:${this.port}`;
  }

  /** What an honest agent reports for a cell over the period that just ended. */
  honest(cellId: string, periodMs: number, seq: number): Indication {
    const s = this.state.get(cellId)!;
    const avail = s.on ? s.nPrb : 0;
    return {
      globalNodeId: this.o.nodeId,
      cellId,
      collectionStartTimeNs: (nowNs() - BigInt(periodMs) * 1_000_000n).toString(),
      granularityPeriodMs: periodMs,
      sequence: String(seq),
      cellRecords: [
        { name: 'RRU.PrbAvailDl', integer: String(avail) },
        { name: 'RRU.PrbUsedDl', integer: String(avail) },
        { name: 'RRU.PrbTotDl', real: (100 * avail) / this.o.cells.find((c) => c.cellId === cellId)!.prbTotal },
        { name: 'DRB.UEThpDl', real: avail * 400 },
      ],
      ueRecords: s.on ? [{ ueId: `${this.o.nodeId}-ue1`, records: [{ name: 'DRB.UEThpDl', real: avail * 400 }, { name: 'CQI', integer: '11' }, { name: 'RSRP', real: -90 }] }] : [],
    };
  }

  private serve(call: grpc.ServerWritableStream<{ granularityPeriodMs: number }, Indication>): void {
    const period = call.request.granularityPeriodMs;
    let k = 0;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    call.on('cancelled', () => (stopped = true));
    call.on('close', () => (stopped = true));
    const send = () => {
      for (const c of this.o.cells) {
        k++;
        const ind = this.honest(c.cellId, period, k);
        this.sent++;
        call.write(this.tamper ? this.tamper(ind, k) : ind);
      }
    };
    const flood = () => {
      while (!stopped && this.flood > 0) {
        this.flood--;
        send();
        if (call.writableLength > 1 << 20) return void setImmediate(flood);
      }
      if (!stopped) tick();
    };
    const tick = () => {
      timer = setTimeout(() => {
        if (stopped) return;
        if (this.flood > 0) return flood();
        send();
        tick();
      }, period);
    };
    tick();
    call.on('close', () => clearTimeout(timer));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}
