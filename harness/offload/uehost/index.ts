// harness/offload/uehost: the UE-host process (the head of the model and the UE's side of its
// path) and the cgroup that limits its CPU on the twin.
export { runUeHost } from './host.js';
export { createCpuQuota, cpuHierarchies, quotaFor, type CpuQuota } from './cgroup.js';
