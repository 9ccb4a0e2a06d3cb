// Writes each block of a ModelSpec as its own ONNX model (opset 13) with seeded weights, using
// onnx-proto's generated protobuf classes: no download, and the same seed gives the same bytes
// on the UE and on the edge.
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { layerOutput, type BlockSpec, type ModelSpec } from './spec.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** mulberry32: a small seeded generator (weights only need to be repeatable, not strong). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** He-uniform weights so activations keep their scale through ReLUs. */
function weights(rand: () => number, dims: number[], fanIn: number): Onnx.ITensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const limit = Math.sqrt(6 / fanIn);
  for (let i = 0; i < n; i++) data[i] = (rand() * 2 - 1) * limit;
  return { dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) };
}

function valueInfo(name: string, shape: number[]): Onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } };
}

const ints = (name: string, v: number[]): Onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });

/** One block as a standalone ONNX model: input `x`, output `y`. */
export function buildBlock(spec: ModelSpec, index: number, seed: number, inputShape: number[]): { bytes: Uint8Array; outputShape: number[] } {
  const block: BlockSpec = spec.blocks[index]!;
  const rand = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const nodes: Onnx.INodeProto[] = [];
  const inits: Onnx.ITensorProto[] = [];
  let shape = inputShape;
  let cur = 'x';
  block.layers.forEach((layer, i) => {
    const next = i === block.layers.length - 1 ? 'y' : `t${i}`;
    if (layer.kind === 'conv') {
      const cin = shape[1]!;
      const w = { ...weights(rand, [layer.outChannels, cin, layer.kernel, layer.kernel], cin * layer.kernel * layer.kernel), name: `w${i}` };
      const b = { dims: [layer.outChannels], dataType: FLOAT, rawData: new Uint8Array(new Float32Array(layer.outChannels).buffer), name: `b${i}` };
      inits.push(w, b);
      const p = layer.pad;
      nodes.push({ opType: 'Conv', input: [cur, w.name, b.name], output: [`c${i}`], attribute: [ints('kernel_shape', [layer.kernel, layer.kernel]), ints('strides', [layer.stride, layer.stride]), ints('pads', [p, p, p, p])] });
      nodes.push({ opType: 'Relu', input: [`c${i}`], output: [next] });
    } else {
      const c = shape[1]!;
      const w = { ...weights(rand, [c, layer.classes], c), name: `w${i}` };
      const b = { dims: [layer.classes], dataType: FLOAT, rawData: new Uint8Array(new Float32Array(layer.classes).buffer), name: `b${i}` };
      inits.push(w, b);
      nodes.push({ opType: 'GlobalAveragePool', input: [cur], output: [`g${i}`] });
      nodes.push({ opType: 'Flatten', input: [`g${i}`], output: [`f${i}`] });
      nodes.push({ opType: 'Gemm', input: [`f${i}`, w.name, b.name], output: [next] });
    }
    shape = layerOutput(shape, layer);
    cur = next;
  });
  const model: Onnx.IModelProto = {
    irVersion: 8,
    producerName: 'ranlab',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: `${spec.name}-${block.name}`, node: nodes, initializer: inits, input: [valueInfo('x', inputShape)], output: [valueInfo('y', shape)] },
  };
  return { bytes: onnx.ModelProto.encode(model).finish(), outputShape: shape };
}

/** Every block of the model, in order, each as ONNX bytes. */
export function buildBlocks(spec: ModelSpec, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let shape: number[] = spec.input;
  for (let i = 0; i < spec.blocks.length; i++) {
    const b = buildBlock(spec, i, seed, shape);
    out.push(b.bytes);
    shape = b.outputShape;
  }
  return out;
}
