// What every trial kind's report carries about how the trial ended (teardown, exit code).
export interface TrialEnd {
  /** The exit code the CLI gives this trial (130, then 3, then 2, then 1, then 0). */
  exitCode?: number;
  /** Every problem, the trial's error and each teardown problem, in words. */
  problems?: string[];
  /** What teardown could not do (points left unwritten, cells not confirmed off, children not stopped). */
  teardownProblems?: string[];
  /** Cells whose switch-off was not acknowledged (by id). */
  cellsNotConfirmedOff?: string[];
  /** Points not in InfluxDB at the end, waiting in the destination's spool. */
  spooledPoints?: number;
  /** Points neither written nor spooled. */
  lostPoints?: number;
  /** Where spooled points wait (replayed by the next trial to that InfluxDB, or `ranlab spool replay`). */
  spoolDir?: string | null;
  /** How long teardown took, ms (bounded by its deadline). */
  teardownMs?: number;
  /** The signal that interrupted the trial, if one did. */
  interruptedBy?: string | null;
  /**
   * Per base station: KPM indications accepted, dropped (beyond the rate bound an agent may
   * send: flooding is counted, never stored), and cells the controller restored after drift.
   */
  indications?: Record<string, { accepted: number; dropped: number; restored: number }>;
}
