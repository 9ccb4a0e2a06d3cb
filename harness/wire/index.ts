// harness/wire: the wire contracts of proto/ as TypeScript sees them, shared by the
// controller's drivers and the agents that serve them.
export * from './e2.js';
export * from './rpc.js';
