// The FIFO behind the command in flight: a command is written only after the one before it
// finished, and only once the channel is in step with the modem (a barrier first when it is
// not, rule 4 in barrier.ts).
import type { CommandSpec } from '../commands.js';
import { AtProtocolError, AtTimeoutError } from '../errors.js';
import { barrier } from './barrier.js';
import { execute } from './flight.js';
import type { AtReply } from './options.js';
import { resetsModem } from './policy.js';
import type { ChannelState } from './state.js';

export interface Job {
  spec: CommandSpec;
  /** Negative for a resync() job, which wants only the barrier. */
  timeoutMs: number;
  resolve: (r: AtReply) => void;
  reject: (e: Error) => void;
}

export class CommandQueue {
  private jobs: Job[] = [];
  private pumping = false;

  constructor(private readonly st: ChannelState) {}

  add(job: Job): void {
    this.jobs.push(job);
    void this.pump();
  }

  /** Rejects every queued job with `err`. */
  failAll(err: Error): void {
    for (const j of this.jobs.splice(0)) j.reject(err);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    const st = this.st;
    try {
      while (this.jobs.length > 0 && !st.closedBy) {
        if (!st.synced) {
          try {
            await barrier(st);
          } catch (err) {
            const head = this.jobs.shift();
            if (!head) break;
            if (st.closedBy) head.reject(st.closedBy);
            else if (head.timeoutMs < 0) head.reject(err as Error);
            else if (err instanceof AtTimeoutError) head.reject(new AtTimeoutError(st.name, head.spec.text, head.timeoutMs, false));
            else head.reject(new AtProtocolError(st.name, head.spec.text, `not sent: could not resynchronise (${(err as Error).message})`, false));
            continue;
          }
        }
        const job = this.jobs.shift();
        if (!job) break;
        if (job.timeoutMs < 0) {
          job.resolve({ command: 'AT', lines: [], final: 'OK' });
          continue;
        }
        try {
          const reply = await execute(st, job.spec, job.timeoutMs);
          if (resetsModem(job.spec)) st.invalidate();
          job.resolve(reply);
        } catch (err) {
          job.reject(err as Error);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
