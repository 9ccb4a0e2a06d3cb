// The edge host's inference service: one compute queue (as one GPU stream), fed by every UE's
// stream in arrival order. Each request is stamped on receipt, at compute start and end, and
// when its reply is handed to the transport; the model is built from its seed, not shipped.
import { nowNs } from '../measure/types.js';
import { BlockRunner, CALIBRATION_RUNS, PATCHNET, sampleInput, type ModelSpec } from '../offload/model/index.js';
import type { WireDeployReply, WireInferReply, WireInferRequest } from './wire.js';

const MODELS: Record<string, ModelSpec> = { [PATCHNET.name]: PATCHNET };

interface Job {
  req: WireInferRequest;
  recvNs: bigint;
  reply: (r: WireInferReply) => void;
}

export class EdgeService {
  private runner: BlockRunner | null = null;
  private modelName = '';
  private queue: Job[] = [];
  private busy = false;
  served = 0n;
  computeNs = 0n;

  get model(): string {
    return this.modelName;
  }
  get queueDepth(): number {
    return this.queue.length + (this.busy ? 1 : 0);
  }

  async deploy(model: string, seed: number, minSplit: number): Promise<WireDeployReply> {
    const spec = MODELS[model];
    if (!spec) throw new Error(`unknown model "${model}" (this agent has ${Object.keys(MODELS).join(', ')})`);
    if (!Number.isInteger(minSplit) || minSplit < 0 || minSplit >= spec.blocks.length) throw new Error(`min_split ${minSplit} is outside 0..${spec.blocks.length - 1}`);
    const old = this.runner;
    const runner = await BlockRunner.load(spec, seed, minSplit, spec.blocks.length);
    // The profile's input at min_split: the sample image through the blocks before it.
    let input = sampleInput(spec, seed);
    if (minSplit > 0) {
      const head = await BlockRunner.load(spec, seed, 0, minSplit);
      input = (await head.run(0, minSplit, input)).output;
      await head.release();
    }
    const ms = await runner.profile(minSplit, spec.blocks.length, CALIBRATION_RUNS, input);
    this.runner = runner;
    this.modelName = model;
    await old?.release();
    return { model, provider: runner.provider, blockMs: [...Array<number>(minSplit).fill(0), ...ms] };
  }

  submit(req: WireInferRequest, reply: (r: WireInferReply) => void): void {
    this.queue.push({ req, recvNs: nowNs(), reply });
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.queue.length) {
      const job = this.queue.shift()!;
      const startNs = nowNs();
      let output: Buffer = Buffer.alloc(0);
      let error = '';
      try {
        output = await this.compute(job.req);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const endNs = nowNs();
      this.served++;
      this.computeNs += endNs - startNs;
      job.reply({ id: job.req.id, output, recvNs: String(job.recvNs), startNs: String(startNs), endNs: String(endNs), sendNs: String(nowNs()), error });
    }
    this.busy = false;
  }

  private async compute(req: WireInferRequest): Promise<Buffer> {
    const r = this.runner;
    if (!r) throw new Error('no model deployed');
    const n = r.spec.blocks.length;
    if (req.split >= n) throw new Error(`split ${req.split}: nothing left for the edge (the model has ${n} blocks)`);
    const shape = r.inputShape(req.split);
    const want = 4 * shape.reduce((a, b) => a * b, 1);
    if (req.tensor.length !== want) throw new Error(`split ${req.split}: tensor of ${req.tensor.length} bytes, the model says ${want} (${shape.join('x')} float32)`);
    const x = new Float32Array(req.tensor.buffer.slice(req.tensor.byteOffset, req.tensor.byteOffset + want));
    const out = await r.run(req.split, n, x);
    return Buffer.from(out.output.buffer, out.output.byteOffset, out.output.byteLength);
  }

  async close(): Promise<void> {
    await this.runner?.release();
  }
}
