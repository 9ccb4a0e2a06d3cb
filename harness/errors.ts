// Typed errors with a stable `code`. The CLI maps each kind to an exit code (DESIGN.md):
// 0 success, 1 trial failed its acceptance criteria, 2 bad input or configuration,
// 3 a rig component unreachable or failed.

export abstract class RanlabError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: a malformed rig file, an invalid flag, a value out of range. Exit code 2. */
export class ConfigError extends RanlabError {
  readonly code: string;
  readonly exitCode = 2 as const;
  constructor(message: string, code = 'CONFIG_INVALID', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A rig component (agent, modem, radio, ledger, database, child process) unreachable or failed. Exit code 3. */
export class ComponentError extends RanlabError {
  readonly code: string;
  readonly exitCode = 3 as const;
  /** The rig component, as the rig file names it (`gnb-a`, `influx`, `ledger`, `ue-a1`). */
  readonly component: string;
  constructor(component: string, message: string, code = 'COMPONENT_FAILED', options?: { cause?: unknown }) {
    super(`${component}: ${message}`, options);
    this.component = component;
    this.code = code;
  }
}

/** The trial ran but did not meet its acceptance criteria. Exit code 1. */
export class AcceptanceError extends RanlabError {
  readonly code = 'ACCEPTANCE_FAILED';
  readonly exitCode = 1 as const;
}

/** Stopped by the user (SIGINT) or the system (SIGTERM): teardown ran; exit 130 as shells expect. */
export class InterruptedError extends RanlabError {
  readonly code = 'INTERRUPTED';
  readonly exitCode = 130;
  constructor(signal: string) {
    super(`interrupted by ${signal}`);
  }
}

/** A native library (libuhd, NVML, libc symbol) is absent: only the feature needing it is disabled. */
export class NativeUnavailableError extends ComponentError {
  constructor(library: string, detail: string, options?: { cause?: unknown }) {
    super(library, `${library} not available (${detail})`, 'NATIVE_UNAVAILABLE', options);
  }
}

export function exitCodeOf(err: unknown): number {
  return err instanceof RanlabError ? err.exitCode : 3;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
