// The controller and a UE-host process talk over one local TCP connection, one JSON message a
// line: the controller asks for bring-up once, then for requests; the host answers each by
// its `rid`. Times that cross the two processes are the host's own wall clock (nowNs), which
// the controller converts with the two processes' clock bases (both derive from the one
// monotonic clock of this machine, so the conversion is exact).
import type { Socket } from 'node:net';
import type { TlsFiles } from '../../certs/index.js';
import type { RequestSample } from '../ue.js';

export interface BringUp {
  op: 'bringUp';
  rid: number;
  model: string;
  seed: number;
  edge: {
    id: string;
    /** The edge agent itself (clock exchange) and the UE's path to it (a relay on the twin). */
    address: string;
    pathAddress: string;
    tls: TlsFiles;
  };
  /** Lab: the modem's data-session address every socket to the edge is bound to. */
  bind?: string;
  /** Stated slowdown (1 under a cgroup quota): the head is held to factor x calibrated time. */
  slowdown: number;
  /**
   * The edge's clock against the controller's, measured by the controller (unthrottled, over
   * the shortest path), and the controller's clock base: the UE host is on the controller's
   * machine, so its own offset follows exactly. Absent: the host exchanges clocks itself.
   */
  clock?: { offsetNs: number; errorNs: number; controllerBaseNs: string };
  /** Per-block profile runs at bring-up. */
  reps: number;
}

/** Profile again, as the host now runs (after it joined its cgroup). */
export interface ProfileMsg {
  op: 'profile';
  rid: number;
  reps: number;
  /** Each block run alone, back to back, for at least this long; its mean time. */
  sustainMs: number;
}

export interface Up {
  op: 'up';
  rid: number;
  /** Per-block ms measured in the host as the UE runs them (slowdown included). */
  blockMs: number[];
  /** Per-block ms as the host's CPU ran them (the slowdown's base). */
  calibratedMs: number[];
  clock: { offsetNs: number; errorNs: number };
  /** The host's wall clock minus the machine's monotonic clock, ns. */
  baseNs: string;
  /** The local address the host's edge connections leave from (lab: the data session's). */
  localAddress: string | null;
  /** The UE's inference engine process: the one a cgroup quota limits. */
  enginePid: number;
}

export interface RequestMsg {
  op: 'request';
  rid: number;
  index: number;
  split: number;
  /** When the request was due, on the host's clock, ns. */
  scheduledNs: string;
}

export type ToHost = BringUp | ProfileMsg | RequestMsg;
export type FromHost = Up | { op: 'profiled'; rid: number; blockMs: number[] } | { op: 'sample'; rid: number; sample: Omit<RequestSample, 'scheduledMs'> } | { op: 'error'; rid: number; message: string; code?: string };

/** This process's wall clock minus the monotonic clock, ns (nowNs is built on the two). */
export function clockBaseNs(now: () => bigint): bigint {
  return now() - process.hrtime.bigint();
}

/** Calls `onMessage` for each JSON line arriving on `socket`. */
export function readLines<T>(socket: Socket, onMessage: (m: T) => void, onBad: (line: string, err: Error) => void): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      try {
        onMessage(JSON.parse(line) as T);
      } catch (err) {
        onBad(line, err as Error);
      }
    }
  });
}

export function send(socket: Socket, m: ToHost | FromHost): void {
  if (!socket.destroyed) socket.write(JSON.stringify(m) + '\n');
}
