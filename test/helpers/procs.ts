// Finding and stopping the processes a test started, through the test's own folder: every
// program ranlab starts names its config, data or results path on its command line, and a
// test's paths are under a folder only it uses. Never match a program by name (another clone
// of the project may run the same programs on this machine at the same time).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  cmdline: string;
}

/** Processes (not this one) whose command line contains `path` as plain text (no pattern). */
export function processesUnder(path: string): ProcInfo[] {
  if (path.length < 8) throw new Error(`refusing to match processes on a short path: "${path}"`);
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // gone meanwhile, or not readable
    }
    if (cmdline.includes(path)) out.push({ pid, cmdline });
  }
  return out;
}

/** The one process whose command line names `path` (fails the test when none or several). */
export function onlyProcessUnder(path: string): number {
  const found = processesUnder(path);
  if (found.length !== 1) throw new Error(`expected one process naming ${path}, found ${found.length}: ${found.map((p) => `${p.pid} ${p.cmdline}`).join('; ')}`);
  return found[0]!.pid;
}

/**
 * SIGKILL every process whose command line names `path`, by pid, until none is left
 * (bounded). Resolves to the command lines it had to kill, for the test's log.
 */
export async function killProcessesUnder(path: string, timeoutMs = 10_000): Promise<string[]> {
  const killed = new Map<number, string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesUnder(path);
    if (left.length === 0) return [...killed.values()];
    if (Date.now() > deadline) throw new Error(`processes naming ${path} survived SIGKILL: ${left.map((p) => p.pid).join(', ')}`);
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
        killed.set(p.pid, p.cmdline);
      } catch {
        /* exited meanwhile */
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Poll until no process names `path` (e.g. after a controller was killed); the ones left, if any. */
export async function waitNoProcessesUnder(path: string, timeoutMs = 10_000): Promise<ProcInfo[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesUnder(path);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = processesUnder(path);
  }
  return left;
}
