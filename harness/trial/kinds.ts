// Trial kinds are strategies run inside a RigSession: spectrum sharing now; offload latency
// and others plug in beside it by implementing TrialKind.
import type { RigSession } from './session.js';

export interface Progress {
  start(total: number, info: Record<string, string | number>): void;
  update(done: number, info: Record<string, string | number>): void;
  stop(): void;
}

export interface TrialKind<Opts, Result> {
  readonly name: string;
  run(session: RigSession, opts: Opts, progress: Progress, signal: AbortSignal): Promise<Result>;
}
