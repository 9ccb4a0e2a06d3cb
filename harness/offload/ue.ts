// The UE side of split inference: the head of the model runs for real in this process (ONNX
// Runtime), one request at a time (a phone has one inference engine), then the intermediate
// tensor goes over the UE's path (the twin's paced relay, or the modem's data session) to the
// edge. A phone is slower than this host: without a cgroup CPU quota for the head (it runs in
// the controller's own process here) a stated slowdown factor sets the head's time: the head
// runs for real, and the UE's engine is held until factor x this host's calibrated time for
// those blocks (measured unloaded at bring-up) has passed, or longer if the real run took
// longer. A phone's compute does not slow down when this shared host is busy.
import { existsSync, accessSync, constants } from 'node:fs';
import type { ClockOffset, InferStream } from '../edge/index.js';
import type { BlockRunner } from './model/index.js';
import { nowMs } from './loadgen.js';

export interface UeCpuLimit {
  kind: 'cgroup' | 'slowdown';
  factor: number;
  note: string;
}

/** What limits the UE's compute on this host, in words the report carries. */
export function ueCpuLimit(factor: number): UeCpuLimit {
  const root = '/sys/fs/cgroup/cgroup.subtree_control';
  let why = 'the head runs inside the controller process, which a cgroup quota would slow as a whole';
  try {
    if (!existsSync(root)) why = 'no cgroup v2 hierarchy at /sys/fs/cgroup';
    else accessSync('/sys/fs/cgroup', constants.W_OK);
  } catch {
    why = 'the cgroup hierarchy is not writable by this user';
  }
  return { kind: 'slowdown', factor, note: `stated slowdown factor ${factor}: the head takes ${factor} x this host's calibrated time (no cgroup CPU quota: ${why})` };
}

export interface RequestSample {
  index: number;
  split: number;
  scheduledMs: number;
  /** Waiting for the UE's engine (earlier requests' heads). */
  headQueueMs: number;
  headMs: number;
  uplinkMs: number;
  edgeQueueMs: number;
  edgeComputeMs: number;
  downlinkMs: number;
  e2eMs: number;
  /** Error bound of the cross-host stages (uplink, downlink): the clock offset's. */
  clockErrMs: number;
  bytesUp: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OffloadUe {
  private engine: Promise<unknown> = Promise.resolve();
  private seq = 0n;

  constructor(
    readonly id: string,
    private readonly runner: BlockRunner,
    readonly slowdown: number,
    private readonly stream: InferStream | null,
    readonly clock: ClockOffset,
    private readonly input: Float32Array,
    /** This host's per-block time, ms, measured at bring-up (the slowdown's base). */
    private readonly calibratedMs: number[],
  ) {}

  /** Runs blocks 1..split here, the rest at the edge; every stage timed. */
  async request(index: number, scheduledMs: number, split: number): Promise<RequestSample> {
    const n = this.runner.spec.blocks.length;
    const head = this.engine.then(async () => {
      const start = nowMs();
      const out = split > 0 ? (await this.runner.run(0, split, this.input)).output : this.input;
      const phoneMs = this.slowdown * this.calibratedMs.slice(0, split).reduce((a, b) => a + b, 0);
      const left = start + phoneMs - nowMs();
      if (split > 0 && this.slowdown > 1 && left > 0) await sleep(left);
      return { start, end: nowMs(), out };
    });
    this.engine = head.catch(() => undefined);
    const h = await head;
    const base = { index, split, scheduledMs, headQueueMs: h.start - scheduledMs, headMs: h.end - h.start, clockErrMs: this.clock.errorNs / 1e6 };
    if (split >= n) return { ...base, uplinkMs: 0, edgeQueueMs: 0, edgeComputeMs: 0, downlinkMs: 0, e2eMs: h.end - scheduledMs, bytesUp: 0 };
    const tensor = Buffer.from(h.out.buffer, h.out.byteOffset, h.out.byteLength);
    const r = await this.stream!.infer(++this.seq, split, tensor);
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
