// harness/offload/model: the split-inference model (spec, ONNX builder, ONNX Runtime runner).
export { PATCHNET, splitBytes, splitShapes, type ModelSpec, type BlockSpec } from './spec.js';
export { buildBlock, buildBlocks } from './build.js';
export { BlockRunner, CALIBRATION_RUNS, sampleInput, type BlockRun } from './runner.js';
