// Runs a range of blocks with ONNX Runtime (one InferenceSession per block). The CUDA
// execution provider is asked for when the host has an NVIDIA GPU; this build's onnxruntime-node
// is CPU-only, so `provider` says what actually ran.
import * as ort from 'onnxruntime-node';
import { buildBlocks } from './build.js';
import { splitShapes, type ModelSpec } from './spec.js';

/** Runs a bring-up calibration takes at least (the whole model is about 1.5 ms here): the more
 * runs, the likelier each block has one that nothing else on a busy host slowed. */
export const CALIBRATION_RUNS = 50;

export interface BlockRun {
  output: Float32Array;
  /** Wall time of each block run, ms, in order. */
  blockMs: number[];
}

export class BlockRunner {
  private constructor(
    readonly spec: ModelSpec,
    private readonly sessions: (ort.InferenceSession | null)[],
    private readonly shapes: number[][],
    readonly provider: string,
  ) {}

  /** Loads blocks [from, to) (0-based), built from `seed`. */
  static async load(spec: ModelSpec, seed: number, from: number, to: number, opts: { threads?: number } = {}): Promise<BlockRunner> {
    const bytes = buildBlocks(spec, seed);
    const sessions: (ort.InferenceSession | null)[] = [];
    for (let i = 0; i < bytes.length; i++)
      sessions.push(i >= from && i < to ? await ort.InferenceSession.create(bytes[i]!, { executionProviders: ['cpu'], intraOpNumThreads: opts.threads ?? 1, interOpNumThreads: 1 }) : null);
    return new BlockRunner(spec, sessions, splitShapes(spec), 'cpu');
  }

  /** Shape of the tensor entering block i (0-based). */
  inputShape(i: number): number[] {
    return this.shapes[i]!;
  }

  /** Runs blocks [from, to) on `input` (the tensor entering block `from`). */
  async run(from: number, to: number, input: Float32Array): Promise<BlockRun> {
    let x = input;
    const blockMs: number[] = [];
    for (let i = from; i < to; i++) {
      const s = this.sessions[i];
      if (!s) throw new Error(`block ${i + 1} is not loaded here`);
      const t0 = performance.now();
      const out = await s.run({ x: new ort.Tensor('float32', x, this.shapes[i]!) });
      blockMs.push(performance.now() - t0);
      x = out.y!.data as Float32Array;
    }
    return { output: x, blockMs };
  }

  /**
   * Per-block time over `reps` runs (after one warm-up), the fastest of them: the planner's
   * profile. Contention on this host (other processes, a busy test run) can only add to a run's
   * time, so the minimum is the block's own cost; a median or mean inflates with load.
   */
  async profile(from: number, to: number, reps: number, input: Float32Array): Promise<number[]> {
    await this.run(from, to, input);
    const runs: number[][] = [];
    for (let r = 0; r < reps; r++) runs.push((await this.run(from, to, input)).blockMs);
    return runs[0]!.map((_, i) => Math.min(...runs.map((b) => b[i]!)));
  }

  async release(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s?.release()));
  }
}

/** A seeded test image (values in [0, 1)). */
export function sampleInput(spec: ModelSpec, seed: number): Float32Array {
  const n = spec.input.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    x[i] = a / 4294967296;
  }
  return x;
}
