// The twin's radio path for one UE: a TCP relay between the UE side and the edge agent that
// paces bytes at the UE's current uplink and downlink throughput (from its KPM, so a grant
// change moves it) plus a fixed air delay each way. Each direction is a link with one
// transmitter: a chunk leaves after the ones before it, taking bytes x 8 / rate, and arrives
// airDelayMs later, in order. A lab UE's path is BoundPath (below): its data session, unpaced.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { ComponentError, messageOf } from '../errors.js';

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

/**
 * A lab UE's path: no pacing (the real radio paces), every connection to the edge leaves from
 * the modem's data-session address, so the bytes cross the modem, the gNB and the core. The
 * UE's gRPC client connects to this forwarder on loopback (gRPC cannot bind its own sockets);
 * TLS runs end to end through it.
 */
export class BoundPath {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly localAddress: string,
  ) {}

  /** Fails, naming the UE, when no socket can leave from `localAddress` towards the edge. */
  static async start(ueId: string, target: string, localAddress: string): Promise<{ path: BoundPath; address: string }> {
    const m = /^(.*):(\d+)$/.exec(target);
    if (!m) throw new Error(`edge address ${target} is not host:port`);
    const to = { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]), localAddress };
    // One probe first, so a missing or foreign data-session address is a clear error here.
    await new Promise<void>((resolve, reject) => {
      const s = connect(to, () => {
        s.destroy();
        resolve();
      });
      s.once('error', (err) =>
        reject(new ComponentError(ueId, `cannot reach the edge at ${target} from the data session's address ${localAddress}: ${messageOf(err)}`, 'UE_DATA_SESSION_UNUSABLE')),
      );
    });
    let path: BoundPath;
    const server = createServer((ue) => {
      const edge = connect(to);
      for (const s of [ue, edge]) {
        s.setNoDelay(true);
        path.sockets.add(s);
      }
      ue.pipe(edge).pipe(ue);
      const close = () => {
        ue.destroy();
        edge.destroy();
        path.sockets.delete(ue);
        path.sockets.delete(edge);
      };
      ue.on('close', close).on('error', close);
      edge.on('close', close).on('error', close);
    });
    path = new BoundPath(server, localAddress);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return { path, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
