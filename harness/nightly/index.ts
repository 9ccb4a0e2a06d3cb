export { loadSuite, suiteSchema, type Suite, type SuiteRun } from './suite.js';
export { runNightly } from './run.js';
export { formatNightly, type NightlySummary, type RunSummary } from './summary.js';
export { RigLock, RigBusyError, type LockHolder } from './lock.js';
