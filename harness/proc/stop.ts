// Stopping one supervised child by a deadline: SIGTERM to its process group, with SIGCONT so a
// paused (SIGSTOPped) child can act on it; at the deadline SIGKILL, first to a guarded program,
// then to the group and the guard. Waits on the process's exit, never on its pipes.
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { childLog } from '../log.js';
import { pidAlive, signal, sleep } from './util.js';

const log = childLog('proc');

/** Time allowed after SIGKILL for the exit to be seen. */
const KILL_CONFIRM_MS = 2000;

/** How a stop went: `forced` when SIGKILL was needed, `confirmed` false when the process may still exist. */
export interface StopOutcome {
  name: string;
  confirmed: boolean;
  forced: boolean;
  detail: string;
}

export interface StopTarget {
  name: string;
  /** The child's pid, leader of its own process group. */
  pgid: number;
  /** The child is a guard running a program (programPid, once known). */
  guarded: boolean;
  programPid: () => number;
  running: () => boolean;
  exited: Promise<void>;
  exitDetail: () => string;
  /** The lifeline: closed first. */
  stdin: Writable | null;
}

export async function stopGroup(t: StopTarget, deadline: number): Promise<StopOutcome> {
  if (!t.running()) return { name: t.name, confirmed: true, forced: false, detail: t.exitDetail() };
  t.stdin?.end();
  signal(-t.pgid, 'SIGTERM');
  signal(-t.pgid, 'SIGCONT');
  // A guard escalates on its program GUARD_GRACE_MS after SIGTERM; we only step in at the deadline.
  let forced = false;
  if (!(await Promise.race([t.exited.then(() => true), sleep(deadline - Date.now()).then(() => false)]))) {
    forced = true;
    log.warn({ child: t.name, pid: t.programPid() }, 'did not stop by the deadline; SIGKILL');
    const program = t.programPid();
    if (t.guarded && program > 0) signal(program, 'SIGKILL');
    signal(-t.pgid, 'SIGKILL');
    signal(t.pgid, 'SIGKILL');
    await Promise.race([t.exited, sleep(KILL_CONFIRM_MS)]);
  }
  // A guarded program that left the guard's group would be an orphan: kill it by pid.
  const program = t.programPid();
  const programLeft = () => t.guarded && program > 0 && pidAlive(program) && !isZombie(program);
  if (programLeft()) {
    signal(program, 'SIGKILL');
    await sleep(100);
  }
  const gone = !t.running() && !programLeft();
  return {
    name: t.name,
    confirmed: gone,
    forced,
    detail: gone ? (forced ? 'killed with SIGKILL at the deadline' : t.exitDetail()) : `pid ${program > 0 ? program : t.pgid} still running after SIGKILL`,
  };
}

/** A zombie has exited; only its parent has not reaped it yet. */
function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
