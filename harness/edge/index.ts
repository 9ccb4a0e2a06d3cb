// harness/edge: the edge host's agent (proto/edge.proto) and the controller's client of it.
export { EdgeClient, InferStream, type InferResult } from './client.js';
export { bestOffset, offsetOf, type ClockOffset, type ClockSample } from './clock.js';
export { serveEdge, runEdgeAgent, edgeAgentConfigSchema, type EdgeAgentConfig } from './server.js';
export type { WireStatus, WireDeployReply, WireInferReply } from './wire.js';
export { startEdgeAgent } from './launch.js';
