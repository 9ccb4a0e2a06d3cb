// What the channel is given (AtChannelOptions), what a command may ask (SendOptions), and
// what it answers (AtReply).
import type { AtTimers } from './timers.js';

export interface AtReply {
  command: string;
  /** Information lines, in order, without echo, URCs or the final result code. */
  lines: string[];
  /** The final result line (`OK`). */
  final: string;
}

export interface SendOptions {
  /** Override the time limit (default: vendor maximum + slack). */
  timeoutMs?: number;
  /** A command typed by hand: unprefixed lines are its reply, no information line required. */
  raw?: boolean;
}

export interface AtChannelOptions {
  /** The UE id: every error names it. */
  name: string;
  write: (data: string) => void;
  onUrc?: (line: string) => void;
  /** Lines attributed to nothing (late replies, garbage, stray echoes); for diagnostics. */
  onNoise?: (line: string, why: string) => void;
  timers?: AtTimers;
  /** Added to the vendor maximum response time for transport and host latency (default 700 ms). */
  slackMs?: number;
  /** Quiet time the drain waits for before a barrier (default 100 ms, at most maxDrainMs). */
  quietMs?: number;
  maxDrainMs?: number;
}
