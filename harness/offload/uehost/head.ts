// The UE's side of one split request, run inside the UE-host process: the head (blocks
// 1..split) for real with ONNX Runtime, one request at a time (a phone has one inference
// engine), then the intermediate tensor over the UE's path to the edge. Under a cgroup quota
// the head's time is what the quota makes it. Without one, a stated slowdown factor holds the
// engine until factor x this host's calibrated time for those blocks has passed (or longer if
// the real run took longer): a phone's compute does not slow down when this host is busy.
import type { ClockOffset, InferStream } from '../../edge/index.js';
import { nowMs } from '../loadgen.js';
import type { HeadEngine } from './engine.js';
import type { RequestSample } from '../ue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class UeHead {
  private engine: Promise<unknown> = Promise.resolve();
  private seq = 0n;

  constructor(
    private readonly engine_: HeadEngine,
    private readonly n: number,
    private readonly slowdown: number,
    private readonly stream: InferStream,
    private readonly clock: ClockOffset,
    /** This host's per-block time, ms, measured at bring-up (the slowdown's base). */
    private readonly calibratedMs: number[],
  ) {}

  /** `scheduledMs` on this process's clock (nowMs). */
  async request(index: number, scheduledMs: number, split: number): Promise<Omit<RequestSample, 'scheduledMs'>> {
    const n = this.n;
    const head = this.engine.then(async () => {
      const start = nowMs();
      const out = await this.engine_.run(split);
      const phoneMs = this.slowdown * this.calibratedMs.slice(0, split).reduce((a, b) => a + b, 0);
      // Timers run in whole ms and may fire a fraction early: wait until the time has passed.
      if (split > 0 && this.slowdown > 1) for (let left = start + phoneMs - nowMs(); left > 0; left = start + phoneMs - nowMs()) await sleep(Math.ceil(left));
      return { start, end: nowMs(), out };
    });
    this.engine = head.catch(() => undefined);
    const h = await head;
    const base = { index, split, headQueueMs: h.start - scheduledMs, headMs: h.end - h.start, clockErrMs: this.clock.errorNs / 1e6 };
    if (split >= n) return { ...base, uplinkMs: 0, edgeQueueMs: 0, edgeComputeMs: 0, downlinkMs: 0, e2eMs: h.end - scheduledMs, bytesUp: 0 };
    const tensor = Buffer.from(h.out.buffer, h.out.byteOffset, h.out.byteLength);
    const r = await this.stream.infer(++this.seq, split, tensor);
    const off = this.clock.offsetNs / 1e6;
    const ms = (ns: string) => Number(BigInt(ns)) / 1e6;
    const [recv, start, end, send] = [r.reply.recvNs, r.reply.startNs, r.reply.endNs, r.reply.sendNs].map(ms) as [number, number, number, number];
    const sent = Number(r.sentNs) / 1e6;
    const received = Number(r.receivedNs) / 1e6;
    return {
      ...base,
      uplinkMs: recv - off - sent,
      edgeQueueMs: start - recv,
      edgeComputeMs: end - start,
      downlinkMs: received - (send - off),
      e2eMs: received - scheduledMs,
      bytesUp: tensor.length,
    };
  }
}
