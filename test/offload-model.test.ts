// The offload model as ONNX: seeded (same seed, same bytes on UE and edge), every block's real
// output is the size the split planner is told, and per-block times are measured.
import { describe, expect, it } from 'vitest';
import { BlockRunner, buildBlocks, PATCHNET, sampleInput, splitBytes } from '../harness/offload/model/index.js';

describe('offload model', () => {
  it('is repeatable from its seed and differs across seeds', () => {
    const a = buildBlocks(PATCHNET, 5);
    const b = buildBlocks(PATCHNET, 5);
    const c = buildBlocks(PATCHNET, 6);
    expect(a.map((x) => Buffer.from(x).toString('base64'))).toEqual(b.map((x) => Buffer.from(x).toString('base64')));
    expect(Buffer.from(a[1]!).equals(Buffer.from(c[1]!))).toBe(false);
  });

  it('each split point sends exactly the bytes ONNX Runtime produces there', async () => {
    const r = await BlockRunner.load(PATCHNET, 5, 0, PATCHNET.blocks.length);
    const bytes = splitBytes(PATCHNET);
    let x = sampleInput(PATCHNET, 1);
    expect(x.byteLength).toBe(bytes[0]);
    for (let k = 0; k < PATCHNET.blocks.length; k++) {
      const out = await r.run(k, k + 1, x);
      expect(out.output.byteLength).toBe(bytes[k + 1]);
      expect(out.blockMs[0]).toBeGreaterThan(0);
      x = out.output;
    }
    // The stem shrinks the image 3x: the point of splitting after it.
    expect(bytes[1]! * 3).toBe(bytes[0]);
    const prof = await r.profile(0, PATCHNET.blocks.length, 3, sampleInput(PATCHNET, 2));
    expect(prof).toHaveLength(PATCHNET.blocks.length);
    await r.release();
  }, 60_000);
});
