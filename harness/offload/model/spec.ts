// The offload model: a small convolutional image classifier as a chain of blocks. Block 1 is a
// patchify stem (a stride-4 convolution, as in ConvNeXt) that shrinks the image 3x; the later
// blocks carry most of the compute. Split point k runs blocks 1..k on the UE and k+1..n on the
// edge; k = 0 is all-edge and k = n all-local.

export interface ConvLayer {
  kind: 'conv';
  outChannels: number;
  kernel: number;
  stride: number;
  pad: number;
}
export interface HeadLayer {
  kind: 'head';
  classes: number;
}
export type Layer = ConvLayer | HeadLayer;

export interface BlockSpec {
  name: string;
  layers: Layer[];
}

export interface ModelSpec {
  name: string;
  /** NCHW input, batch 1. */
  input: [number, number, number, number];
  blocks: BlockSpec[];
}

const conv = (outChannels: number, kernel: number, stride: number, pad: number): ConvLayer => ({ kind: 'conv', outChannels, kernel, stride, pad });

/** The classifier every offload trial runs (128x128 RGB in, 10 classes out). */
export const PATCHNET: ModelSpec = {
  name: 'patchnet-128',
  input: [1, 3, 128, 128],
  blocks: [
    { name: 'stem', layers: [conv(16, 4, 4, 0)] },
    { name: 'stage1', layers: [conv(64, 3, 1, 1), conv(64, 3, 1, 1)] },
    { name: 'stage2', layers: [conv(128, 3, 2, 1), conv(128, 3, 1, 1)] },
    { name: 'stage3', layers: [conv(256, 3, 2, 1), conv(256, 3, 1, 1)] },
    { name: 'head', layers: [{ kind: 'head', classes: 10 }] },
  ],
};

/** Shape after each layer (NCHW for convolutions, [1, classes] after the head). */
export function layerOutput(shape: number[], layer: Layer): number[] {
  if (layer.kind === 'head') return [shape[0]!, layer.classes];
  const out = (x: number) => Math.floor((x + 2 * layer.pad - layer.kernel) / layer.stride) + 1;
  return [shape[0]!, layer.outChannels, out(shape[2]!), out(shape[3]!)];
}

/** Shape of the tensor at every split point: index k is the output of block k (0: the input). */
export function splitShapes(spec: ModelSpec): number[][] {
  const shapes: number[][] = [spec.input];
  let s: number[] = spec.input;
  for (const b of spec.blocks) {
    for (const l of b.layers) s = layerOutput(s, l);
    shapes.push(s);
  }
  return shapes;
}

/** Bytes of the float32 tensor crossing the link at split k (what the shapes say). */
export function splitBytes(spec: ModelSpec): number[] {
  return splitShapes(spec).map((s) => 4 * s.reduce((a, b) => a * b, 1));
}
