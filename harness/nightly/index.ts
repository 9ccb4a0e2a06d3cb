export { loadSuite, suiteSchema, type Suite, type SuiteRun } from './suite.js';
export { runNightly, formatNightly, type NightlySummary, type RunSummary } from './run.js';
export { RigLock, RigBusyError, type LockHolder } from './lock.js';
