// harness/offload/uehost: the UE-host process (the UE's side of its path, and the engine
// process running the head of the model) and the cgroup that limits the engine on the twin.
export { runUeHost } from './host.js';
export { createCpuQuota, cpuHierarchies, quotaFor, type CpuQuota } from './cgroup.js';
