// The AT command channel: one command in flight at a time, a FIFO queue behind it, a time
// limit per command, and the pairing of reply lines with the command that caused them.
// It knows nothing of serial ports: bytes come in through feed(), go out through `write`,
// and time comes from `timers` (so a test can drive it on a virtual clock). This class only
// wires the parts together; each lives in channel/, with the pairing rules (numbered 1 to 7,
// tested with fast-check in test/ue-fuzz.test.ts) beside the code that keeps them:
// - framing.ts: bytes into lines, bounded (rule 7);
// - pairing.ts: which command a line belongs to, else URC or noise (rules 1, 2, 3, 5, 7);
// - flight.ts: the command in flight and its time limit (rule 6);
// - queue.ts: the FIFO behind it; barrier.ts, barrier-reads.ts, quiet.ts: getting back in
//   step after a timeout (rule 4);
// - policy.ts: commands refused (echo off) and commands that reset the modem's settings;
// - state.ts: what the parts share; options.ts, timers.ts: what the channel is given.
import { UeDisconnectedError } from './errors.js';
import { commandSpec } from './commands.js';
import { LineFramer } from './channel/framing.js';
import type { AtChannelOptions, AtReply, SendOptions } from './channel/options.js';
import { routeLine } from './channel/pairing.js';
import { admit } from './channel/policy.js';
import { CommandQueue } from './channel/queue.js';
import { ChannelState } from './channel/state.js';

export { barrierText } from './channel/barrier-reads.js';
export { MAX_LINE } from './channel/framing.js';
export type { AtChannelOptions, AtReply, SendOptions } from './channel/options.js';
export { MAX_REPLY_LINES } from './channel/pairing.js';
export { realTimers, type AtTimers } from './channel/timers.js';

export class AtChannel {
  private readonly st: ChannelState;
  private readonly framer: LineFramer;
  private readonly queue: CommandQueue;

  constructor(opts: AtChannelOptions) {
    const st = (this.st = new ChannelState(opts));
    this.framer = new LineFramer(st, (line) => routeLine(st, line));
    this.queue = new CommandQueue(st);
  }

  get isSynced(): boolean {
    return this.st.synced;
  }

  get isClosed(): boolean {
    return this.st.closedBy !== null;
  }

  /** Consecutive commands (barriers included) that got no final result code in time. */
  get consecutiveTimeouts(): number {
    return this.st.consecutiveTimeouts;
  }

  /**
   * The modem (may have) rebooted or lost its settings (RDY, a reset): the echo is no longer
   * known to be on, and the next command is preceded by ATE1 and a barrier.
   */
  invalidate(): void {
    this.st.invalidate();
  }

  /** Queue a command; resolves with its reply on OK, rejects with a typed error otherwise. */
  send(command: string, options: SendOptions = {}): Promise<AtReply> {
    if (this.st.closedBy) return Promise.reject(this.st.closedBy);
    const spec = admit(command, options.raw ?? false);
    if (spec instanceof Error) return Promise.reject(spec);
    const timeoutMs = options.timeoutMs ?? spec.maxMs + this.st.slackMs;
    return new Promise<AtReply>((resolve, reject) => this.queue.add({ spec, timeoutMs, resolve, reject }));
  }

  /** Run a barrier now (e.g. a liveness probe); rejects with AtTimeoutError if the modem does not answer. */
  async resync(): Promise<void> {
    this.st.synced = false;
    // An empty job that only needs the barrier: queued like a command so ordering holds.
    await new Promise<AtReply>((resolve, reject) => this.queue.add({ spec: commandSpec('AT'), timeoutMs: -1, resolve, reject }));
  }

  /** Bytes from the modem. */
  feed(data: Buffer | string): void {
    this.framer.feed(data);
  }

  /** Fail the command in flight and everything queued; later sends fail at once. */
  close(err: Error = new UeDisconnectedError(this.st.name, 'AT channel closed')): void {
    const st = this.st;
    if (st.closedBy) return;
    st.closedBy = err;
    const cur = st.current;
    st.current = null;
    cur?.finish(err);
    this.queue.failAll(err);
  }
}
