// Child processes the controller starts, supervises and always stops: twin agents, the
// embedded influxd and dev chain. Each child leads its own process group, so a terminal's
// Ctrl-C (SIGINT to the foreground group) reaches only the controller, which then tears down
// in order. A child that dies while it is still wanted is reported through onUnexpectedExit.
//
// Stopping has one deadline: SIGTERM (and SIGCONT, so a paused child can act on it) to the
// child's group; at the deadline SIGKILL, first to a guarded program, then to the group. The
// wait is on the process's exit, never on its pipes (an orphan could hold them open).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ComponentError } from '../errors.js';
import { childLog } from '../log.js';
import { guardEntry } from '../paths.js';
import { childEnv } from './env.js';
import { GUARD_GRACE_MS, GUARD_PID_PREFIX, GUARD_SIGNAL_PREFIX } from './guard-protocol.js';
import { stopGroup, type StopOutcome } from './stop.js';
import { sleep } from './util.js';

const log = childLog('proc');

export interface StartOptions {
  /** The rig component this child is (named in every error about it). */
  name: string;
  command: string;
  args: string[];
  /** Added to the child's environment, which is built for it (see env.ts), never inherited. */
  env?: Record<string, string>;
  cwd?: string;
  /** Ready when a line of stdout or stderr matches; the match is returned. */
  readyLine?: RegExp;
  /** Or ready when this probe resolves true (polled). */
  readyProbe?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /**
   * Keep the child's stdin open as a lifeline: our own agents exit when it closes. Other
   * programs (lifeline false) run under a guard process that stops them when it closes.
   */
  lifeline?: boolean;
}

export type { StopOutcome } from './stop.js';

export interface Child {
  name: string;
  /** The program's own pid (under a guard: the guarded program's, once it has started). */
  readonly pid: number;
  /** The process group the child leads (the guard's pid for a guarded program). */
  readonly pgid: number;
  /** The readyLine match, when readyLine was given. */
  ready: RegExpMatchArray | null;
  /** Last lines the child printed (for error messages). */
  tail(): string;
  /** Stop within graceMs (default 3 s; a guarded program: its guard's grace + 1 s), escalating to SIGKILL. */
  stop(graceMs?: number): Promise<void>;
  /** Stop by an absolute deadline (Date.now() ms). */
  stopBy(deadline: number): Promise<StopOutcome>;
  /** Resolves when the process has exited, whatever the reason. */
  exited: Promise<void>;
  /** "exited with code 3", "killed by SIGSEGV" (empty while running). */
  readonly exitDetail: string;
}

interface Entry {
  child: Child;
  proc: ChildProcess;
  stopping: boolean;
}

export class Supervisor {
  private children = new Map<string, Entry>();
  private listeners: ((name: string, detail: string) => void)[] = [];

  /** Called when a child exits that nobody asked to stop. */
  onUnexpectedExit(fn: (name: string, detail: string) => void): void {
    this.listeners.push(fn);
  }

  async start(opts: StartOptions): Promise<Child> {
    const lines: string[] = [];
    // Programs that are not ours get the lifeline through the guard (when it is built).
    const guarded = !opts.lifeline && existsSync(guardEntry);
    const [command, args] = guarded ? [process.execPath, [guardEntry, opts.command, ...opts.args]] : [opts.command, opts.args];
    const proc = spawn(command, args, {
      cwd: opts.cwd,
      env: childEnv(opts.env),
      stdio: [opts.lifeline || guarded ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      // Its own process group (setsid): signals to the controller's group do not reach it.
      detached: true,
    });
    const pgid = proc.pid ?? -1;
    proc.stdin?.on('error', () => undefined);
    let readyMatch: RegExpMatchArray | null = null;
    let onLine: ((l: string) => void) | null = null;
    let pid = guarded ? -1 : pgid;
    let guardSignal = '';
    const feed = (chunk: Buffer) => {
      for (const l of chunk.toString('utf8').split(/\r?\n/)) {
        if (!l) continue;
        if (guarded && l.startsWith(GUARD_PID_PREFIX)) {
          pid = Number(l.slice(GUARD_PID_PREFIX.length));
          continue;
        }
        if (guarded && l.startsWith(GUARD_SIGNAL_PREFIX)) {
          guardSignal = l.slice(GUARD_SIGNAL_PREFIX.length);
          continue;
        }
        lines.push(l);
        if (lines.length > 40) lines.shift();
        onLine?.(l);
      }
    };
    proc.stdout?.on('data', feed);
    proc.stderr?.on('data', feed);
    const entry: Entry = { proc, stopping: false, child: undefined as unknown as Child };
    let exitDetail = '';
    let spawnError = '';
    const exited = new Promise<void>((resolve) => {
      proc.once('error', (err) => {
        spawnError = err.message;
        if (proc.pid === undefined) {
          exitDetail = `could not be started (${err.message})`;
          resolve();
        }
      });
      // 'exit', not 'close': an orphan holding our pipes must not keep us waiting.
      proc.once('exit', (code, sig) => {
        exitDetail = sig ? `killed by ${sig}` : guardSignal ? `killed by ${guardSignal}` : `exited with code ${code}`;
        resolve();
      });
    }).then(() => {
      // Drop the pipes: whatever still holds their other end, we are done reading.
      setTimeout(() => {
        proc.stdout?.destroy();
        proc.stderr?.destroy();
      }, 200).unref();
      if (!entry.stopping && this.children.get(opts.name) === entry) {
        log.warn({ child: opts.name, detail: exitDetail }, 'child exited unexpectedly');
        for (const fn of this.listeners) fn(opts.name, exitDetail);
      }
      if (this.children.get(opts.name) === entry) this.children.delete(opts.name);
    });
    const running = () => proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined;
    const tail = () => lines.slice(-12).join('\n');
    let stopping: Promise<StopOutcome> | null = null;
    let stoppingBy = Infinity;
    const stopBy = (deadline: number): Promise<StopOutcome> => {
      entry.stopping = true;
      // A nearer deadline (a second Ctrl-C, the teardown's own) takes over a stop under way.
      if (deadline >= stoppingBy && stopping) return stopping;
      stoppingBy = deadline;
      stopping = stopGroup(
        { name: opts.name, pgid, guarded, programPid: () => pid, running, exited, exitDetail: () => exitDetail || spawnError, stdin: proc.stdin },
        deadline,
      );
      return stopping;
    };
    const child: Child = {
      name: opts.name,
      get pid() {
        return pid > 0 ? pid : pgid;
      },
      pgid,
      ready: null,
      tail,
      exited,
      get exitDetail() {
        return exitDetail;
      },
      stop: async (graceMs = guarded ? GUARD_GRACE_MS + 1000 : 3000) => {
        await stopBy(Date.now() + graceMs);
      },
      stopBy,
    };
    entry.child = child;
    this.children.set(opts.name, entry);

    const timeoutMs = opts.readyTimeoutMs ?? 30_000;
    try {
      await new Promise<void>((resolve, reject) => {
        let done = false;
        const finish = (err?: Error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          onLine = null;
          if (err) reject(err);
          else resolve();
        };
        const timer = setTimeout(
          () => finish(new ComponentError(opts.name, `not ready after ${timeoutMs} ms; last output:\n${tail()}`, 'START_TIMEOUT')),
          timeoutMs,
        );
        void exited.then(() => finish(new ComponentError(opts.name, `${exitDetail} before it was ready; last output:\n${tail()}`, 'START_FAILED')));
        if (opts.readyLine) {
          const re = opts.readyLine;
          onLine = (l) => {
            const m = l.match(re);
            if (m) {
              readyMatch = m;
              finish();
            }
          };
          for (const l of lines) onLine(l);
        } else if (opts.readyProbe) {
          const probe = opts.readyProbe;
          const poll = async () => {
            while (!done) {
              if (await probe().catch(() => false)) return finish();
              // Often: a refused probe costs a fraction of a millisecond, and whoever waits on
              // this child (bring-up) waits for the poll, not for the child.
              await sleep(25);
            }
          };
          void poll();
        } else finish();
      });
    } catch (err) {
      await child.stop(1000);
      throw err;
    }
    child.ready = readyMatch;
    // The program's pid comes on the guard's stderr, the ready line maybe first on stdout.
    for (let i = 0; guarded && pid < 0 && running() && i < 100; i++) await sleep(20);
    log.debug({ child: opts.name, pid: child.pid }, 'child ready');
    return child;
  }

  get(name: string): Child | undefined {
    return this.children.get(name)?.child;
  }

  /** Names of the children still running. */
  names(): string[] {
    return [...this.children.keys()];
  }

  /** Stop every child by one deadline (all at once; the caller stops services in order before). */
  async stopAll(graceMsOrDeadline: number | { deadline: number } = 3000): Promise<StopOutcome[]> {
    // Even past the deadline, a moment for SIGTERM: agents turn their cells off on it.
    const deadline = Math.max(Date.now() + 250, typeof graceMsOrDeadline === 'number' ? Date.now() + graceMsOrDeadline : graceMsOrDeadline.deadline);
    const all = [...this.children.values()];
    for (const e of all) e.stopping = true;
    return Promise.all(all.map((e) => e.child.stopBy(deadline)));
  }
}
