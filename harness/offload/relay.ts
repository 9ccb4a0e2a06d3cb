// The twin's radio path for one UE: a TCP relay between the UE side and the edge agent that
// paces bytes at the UE's current uplink and downlink throughput (from its KPM, so a grant
// change moves it) plus a fixed air delay each way. Each direction is a link with one
// transmitter: a chunk leaves after the ones before it, taking bytes x 8 / rate, and arrives
// airDelayMs later, in order.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LinkRates {
  ulKbps: number;
  dlKbps: number;
}

/** Below this a link is treated as this slow (a UE with no grant still gets its bytes out, eventually). */
const FLOOR_KBPS = 1;

class PacedLink {
  private freeAt = 0;
  private queue: { at: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | null = null;
  bytes = 0;

  constructor(
    private readonly out: Socket,
    private readonly rate: () => number,
    private readonly airDelayMs: number,
  ) {}

  push(chunk: Buffer): void {
    const now = performance.now();
    const txMs = (chunk.length * 8) / Math.max(FLOOR_KBPS, this.rate());
    this.freeAt = Math.max(now, this.freeAt) + txMs;
    this.bytes += chunk.length;
    this.queue.push({ at: this.freeAt + this.airDelayMs, chunk });
    this.arm();
  }

  private arm(): void {
    if (this.timer || !this.queue.length) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = performance.now();
      while (this.queue.length && this.queue[0]!.at <= now + 0.5) if (!this.out.destroyed) this.out.write(this.queue.shift()!.chunk);
      this.arm();
    }, Math.max(0, this.queue[0]!.at - performance.now()));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.queue = [];
  }
}

export class PacedRelay {
  private rates: LinkRates;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<PacedLink>();

  private constructor(
    readonly ueId: string,
    private readonly target: { host: string; port: number },
    initial: LinkRates,
    readonly airDelayMs: number,
  ) {
    this.rates = initial;
    this.server = createServer((ue) => this.accept(ue));
  }

  static async start(ueId: string, target: string, initial: LinkRates, airDelayMs: number): Promise<{ relay: PacedRelay; address: string }> {
    const m = /^(.*):(\d+)$/.exec(target);
    if (!m) throw new Error(`relay target ${target} is not host:port`);
    const relay = new PacedRelay(ueId, { host: m[1]!, port: Number(m[2]) }, initial, airDelayMs);
    await new Promise<void>((resolve, reject) => relay.server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return { relay, address: `127.0.0.1:${(relay.server.address() as AddressInfo).port}` };
  }

  /** The UE's current throughput (from its latest KPM). */
  setRates(r: LinkRates): void {
    this.rates = r;
  }

  get current(): LinkRates {
    return this.rates;
  }

  private accept(ue: Socket): void {
    const edge = connect(this.target.port, this.target.host);
    ue.setNoDelay(true);
    edge.setNoDelay(true);
    const up = new PacedLink(edge, () => this.rates.ulKbps, this.airDelayMs);
    const down = new PacedLink(ue, () => this.rates.dlKbps, this.airDelayMs);
    for (const s of [ue, edge]) this.sockets.add(s);
    this.links.add(up).add(down);
    ue.on('data', (c: Buffer) => up.push(c));
    edge.on('data', (c: Buffer) => down.push(c));
    const close = () => {
      up.stop();
      down.stop();
      ue.destroy();
      edge.destroy();
    };
    ue.on('close', close).on('error', close);
    edge.on('close', close).on('error', close);
  }

  async close(): Promise<void> {
    for (const l of this.links) l.stop();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
