// What a preflight check is, and the row it turns into.
export type CheckResult = 'pass' | 'fail' | 'skip';

export interface CheckRow {
  component: string;
  check: string;
  result: CheckResult;
  detail: string;
  ms: number;
}

export interface Check {
  component: string;
  check: string;
  /** Resolves to a detail line when the check passes; throws (with the reason) when it fails. */
  run: () => Promise<string>;
  /** Hardware checks also run at trial bring-up. */
  hardware?: boolean;
}

/** Thrown by a check that cannot be made on this rig (a 'skip' row, not a failure). */
export class Skip extends Error {}
