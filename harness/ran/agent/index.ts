// harness/ran/agent: the RAN agent that runs on each gNB host (`ranlab ran-agent`), its lease,
// and the registry of backends.
export type { AgentSettings, BackendDefinition, RanBackend } from './backend.js';
export { RanAgent } from './agent.js';
export { BACKENDS, BASESTATION_DRIVERS } from './registry.js';
export { backendNamed, runRanAgent } from './run.js';
export { DEFAULT_LEASE_MS, loadAgentFile } from './config.js';
export { gnbBinaryOf, srsranAgentFile, type AgentFileOptions } from './rig-config.js';
