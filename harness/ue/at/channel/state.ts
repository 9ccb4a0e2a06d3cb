// What every part of the AT channel shares: its settings, the command in flight, and what it
// knows of the line being in step with the modem (see channel.ts for the rules).
import type { CommandSpec } from '../commands.js';
import type { AtChannelOptions, AtReply } from './options.js';
import { realTimers, type AtTimers } from './timers.js';

export interface InFlight {
  spec: CommandSpec;
  requireEcho: boolean;
  echoSeen: boolean;
  lines: string[];
  finish: (err: Error | null, reply?: AtReply) => void;
}

export class ChannelState {
  readonly name: string;
  readonly timers: AtTimers;
  readonly slackMs: number;
  readonly quietMs: number;
  readonly maxDrainMs: number;
  current: InFlight | null = null;
  /** False after a timeout or a protocol error, and at start: a barrier runs before the next command. */
  synced = false;
  /** Reply prefixes of commands that timed out since the last successful barrier. */
  readonly outstanding = new Set<string>();
  lastRxAt: number;
  closedBy: Error | null = null;
  barrierCount = 0;
  /** Barrier bases this modem answered ERROR to (tried last from then on). */
  readonly refusedBarriers = new Set<string>();
  /** Whether the modem's echo is known to be on (rule 3). */
  echoOn = false;
  /** Consecutive commands (barriers included) that got no final result code in time. */
  consecutiveTimeouts = 0;

  constructor(readonly opts: AtChannelOptions) {
    this.name = opts.name;
    this.timers = opts.timers ?? realTimers;
    this.slackMs = opts.slackMs ?? 700;
    this.quietMs = opts.quietMs ?? 100;
    this.maxDrainMs = opts.maxDrainMs ?? 1000;
    this.lastRxAt = this.timers.now();
  }

  /** The modem (may have) lost its settings: ATE1 and a barrier before the next command. */
  invalidate(): void {
    this.echoOn = false;
    this.synced = false;
  }

  noise(line: string, why: string): void {
    this.opts.onNoise?.(line, why);
  }

  urc(line: string): void {
    this.opts.onUrc?.(line);
  }
}
