// harness/proc: the child processes the controller starts, supervises and always stops.
export { Supervisor, type Child, type StartOptions, type StopOutcome } from './supervisor.js';
export { freePort, withTimeout, pidAlive, signal, sleep } from './util.js';
export { childEnv, withholdFromChildren } from './env.js';
export { exitWithParent } from './lifeline.js';
export { acquireExclusive, type ExclusiveLock } from './lock.js';
