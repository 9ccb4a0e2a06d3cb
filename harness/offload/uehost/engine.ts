// The UE's inference engine: a process of its own, started by its UE host, that runs the head
// of the model (ONNX Runtime) and nothing else. On the twin it alone goes into the UE's cgroup,
// so the quota slows the phone's compute and not the UE's network side, whose timing is the
// radio's (a throttled TLS stack would otherwise show up as uplink time).
import { fork, type ChildProcess } from 'node:child_process';
import { messageOf } from '../../errors.js';
import { engineEntry } from '../../paths.js';
import { BlockRunner, PATCHNET, sampleInput } from '../model/index.js';

type EngineCall = { op: 'load'; seed: number } | { op: 'run'; split: number } | { op: 'profile'; reps: number; sustainMs: number };
type EngineRequest = EngineCall & { id: number };
type EngineReply = { id: number; error?: string; output?: Float32Array; blockMs?: number[] };

/** The UE host's handle on its engine process. */
export class HeadEngine {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (r: EngineReply) => void; reject: (e: Error) => void }>();
  private dead: Error | null = null;

  private constructor(private readonly proc: ChildProcess) {
    proc.on('message', (r: EngineReply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (r.error) p?.reject(new Error(r.error));
      else p?.resolve(r);
    });
    proc.on('exit', (code, sig) => {
      this.dead = new Error(`the UE's inference engine ${sig ? `was killed by ${sig}` : `exited with code ${code}`}`);
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    });
  }

  static async start(seed: number): Promise<HeadEngine> {
    const proc = fork(engineEntry, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const e = new HeadEngine(proc);
    await e.call({ op: 'load', seed });
    return e;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Blocks 1..split on the model's sample input; its output. */
  async run(split: number): Promise<Float32Array> {
    return (await this.call({ op: 'run', split })).output!;
  }

  /** Per-block ms: the median of `reps` whole runs, or (sustainMs > 0) each block alone, back to back, for that long. */
  async profile(reps: number, sustainMs: number): Promise<number[]> {
    return (await this.call({ op: 'profile', reps, sustainMs })).blockMs!;
  }

  stop(): void {
    this.proc.kill('SIGTERM');
  }

  private call(m: EngineCall): Promise<EngineReply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.send({ ...m, id });
    });
  }
}

/**
 * Under a CFS quota the CPU comes in bursts (at least 1 ms every period), so in one run of the
 * head a short block may run at full speed and the next wait out the period. Each block is
 * therefore run alone, back to back, over many periods: its mean time is what the quota gives
 * a UE under load, block by block. The mean is taken over three windows of half `minMs` each and
 * the fastest window kept: other processes on this host can only lengthen a window (the quota is
 * a ceiling, not a guarantee), and half of `minMs` still spans ten periods or more.
 */
async function sustainedProfile(runner: BlockRunner, input: Float32Array, reps: number, minMs: number): Promise<number[]> {
  const n = runner.spec.blocks.length;
  const inputs = [input];
  for (let i = 0; i < n - 1; i++) inputs.push((await runner.run(i, i + 1, inputs[i]!)).output);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let fastest = Infinity;
    for (let w = 0; w < 3; w++) {
      let total = 0;
      let runs = 0;
      const t0 = performance.now();
      while (runs < reps || performance.now() - t0 < minMs / 2) {
        total += (await runner.run(i, i + 1, inputs[i]!)).blockMs[0]!;
        runs++;
      }
      fastest = Math.min(fastest, total / runs);
    }
    out.push(fastest);
  }
  return out;
}

/** The engine process's side (engine-main.ts): answers its UE host's calls until the host goes. */
export function serveEngine(): void {
  let runner: BlockRunner | null = null;
  let input: Float32Array = new Float32Array(0);
  const n = PATCHNET.blocks.length;
  process.on('message', (m: EngineRequest) => {
    const answer = async (): Promise<Omit<EngineReply, 'id'>> => {
      if (m.op === 'load') {
        runner = await BlockRunner.load(PATCHNET, m.seed, 0, n);
        input = sampleInput(PATCHNET, m.seed);
        return {};
      }
      if (!runner) throw new Error('no model loaded');
      if (m.op === 'run') return { output: m.split > 0 ? (await runner.run(0, m.split, input)).output : input };
      return { blockMs: m.sustainMs > 0 ? await sustainedProfile(runner, input, m.reps, m.sustainMs) : await runner.profile(0, n, m.reps, input) };
    };
    answer().then(
      (r) => process.send!({ ...r, id: m.id }),
      (err: unknown) => process.send!({ id: m.id, error: messageOf(err) }),
    );
  });
  // The UE host is gone (its IPC channel closed): so is its engine.
  process.on('disconnect', () => process.exit(0));
}

