// Child processes the controller starts, supervises and always stops: twin agents, the
// embedded influxd and dev chain. A child that dies while it is still wanted is reported
// through onUnexpectedExit, so the trial can end cleanly and name it.
import { existsSync, fstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { ComponentError } from '../errors.js';
import { childLog } from '../log.js';
import { cliEntry } from '../paths.js';
import { GUARD_GRACE_MS, GUARD_PID_PREFIX } from './guard-protocol.js';

const log = childLog('proc');

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** p, or a rejection "no answer within <ms> ms (<what>)" if it takes longer. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`no answer within ${ms} ms (${what})`)), ms);
    }),
  ]);
}

/** True when a process with this pid exists (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StartOptions {
  /** The rig component this child is (named in every error about it). */
  name: string;
  command: string;
  args: string[];
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

const guardEntry = join(dirname(cliEntry), '..', 'proc', 'guard.js');

export interface Child {
  name: string;
  /** The program's own pid (under a guard: the guarded program's, once it has started). */
  readonly pid: number;
  /** The readyLine match, when readyLine was given. */
  ready: RegExpMatchArray | null;
  /** Last lines the child printed (for error messages). */
  tail(): string;
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the process has exited, whatever the reason. */
  exited: Promise<void>;
}

export class Supervisor {
  private children = new Map<string, { child: Child; proc: ResultPromise; stopping: boolean }>();
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
    const proc = execa(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      reject: false,
      stdin: opts.lifeline || guarded ? 'pipe' : 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      cleanup: true,
      forceKillAfterDelay: 3000,
    });
    let readyMatch: RegExpMatchArray | null = null;
    let onLine: ((l: string) => void) | null = null;
    let pid = proc.pid ?? -1;
    const feed = (chunk: Buffer) => {
      for (const l of chunk.toString('utf8').split(/\r?\n/)) {
        if (!l) continue;
        if (guarded && l.startsWith(GUARD_PID_PREFIX)) {
          pid = Number(l.slice(GUARD_PID_PREFIX.length));
          continue;
        }
        lines.push(l);
        if (lines.length > 40) lines.shift();
        onLine?.(l);
      }
    };
    proc.stdout?.on('data', feed);
    proc.stderr?.on('data', feed);
    const entry = { proc, stopping: false, child: undefined as unknown as Child };
    let exitDetail = '';
    const exited = proc.then((r) => {
      exitDetail = r.signal ? `killed by ${r.signal}` : `exited with code ${r.exitCode}`;
      if (!entry.stopping && this.children.get(opts.name) === entry) {
        log.warn({ child: opts.name, detail: exitDetail }, 'child exited unexpectedly');
        for (const fn of this.listeners) fn(opts.name, exitDetail);
      }
      this.children.delete(opts.name);
    });
    const tail = () => lines.slice(-12).join('\n');
    const child: Child = {
      name: opts.name,
      get pid() {
        return pid;
      },
      ready: null,
      tail,
      exited,
      stop: async (graceMs = 3000) => {
        entry.stopping = true;
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.stdin?.end();
          proc.kill('SIGTERM');
          // A guard needs time to escalate on its program first, or the program is orphaned.
          const t = setTimeout(() => proc.kill('SIGKILL'), guarded ? Math.max(graceMs, GUARD_GRACE_MS) + 2000 : graceMs);
          await exited;
          clearTimeout(t);
        }
      },
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
              await new Promise((r) => setTimeout(r, 100));
            }
          };
          void poll();
        } else finish();
      });
    } catch (err) {
      await child.stop(500);
      throw err;
    }
    child.ready = readyMatch;
    log.debug({ child: opts.name, pid: child.pid }, 'child ready');
    return child;
  }

  get(name: string): Child | undefined {
    return this.children.get(name)?.child;
  }

  /**
   * Stop every child at once: all are signalled together and each gets `graceMs` before
   * SIGKILL; no child waits for another (agents are not stopped before the services they write to).
   */
  async stopAll(graceMs = 3000): Promise<void> {
    const all = [...this.children.values()].reverse();
    for (const e of all) e.stopping = true;
    await Promise.all(all.map((e) => e.child.stop(graceMs)));
  }
}

/**
 * For our own agent processes: exit when the parent goes away (its lifeline stdin closes),
 * so a SIGKILLed controller never leaves twin agents running.
 */
export function exitWithParent(cleanup: () => Promise<void> | void): void {
  // Only a pipe or socket is a lifeline; a TTY or /dev/null (started by hand) is not.
  let lifeline = false;
  try {
    const st = fstatSync(0);
    lifeline = st.isFIFO() || st.isSocket();
  } catch {
    lifeline = false;
  }
  if (!lifeline) return;
  process.stdin.on('end', () => void Promise.resolve(cleanup()).finally(() => process.exit(0)));
  process.stdin.on('error', () => undefined);
  process.stdin.resume();
}
