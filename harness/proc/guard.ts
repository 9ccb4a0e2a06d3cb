// A lifeline for programs that are not ours (influxd, the Hardhat chain): this guard runs the
// program as its child, in the guard's own process group (the supervisor starts the guard as
// a group leader, so a SIGKILL to the group takes both), passes its output through, forwards
// SIGTERM/SIGINT, and stops it when the controller goes away (its stdin, the lifeline,
// closes) — even after a SIGKILL of the controller, which no exit handler sees.
//   node guard.js <command> [args...]
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { GUARD_GRACE_MS, GUARD_PID_PREFIX, GUARD_SIGNAL_PREFIX } from './guard-protocol.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: guard <command> [args...]\n');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
// The supervisor reports this pid as the program's (the first line, on stderr).
if (child.pid) process.stderr.write(`${GUARD_PID_PREFIX}${child.pid}\n`);
let stopping = false;
const stop = (sig: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  child.kill(sig);
  // A paused (SIGSTOPped) program cannot act on SIGTERM: let it run so it can stop cleanly.
  child.kill('SIGCONT');
  // Escalate on the program before the supervisor's deadline kills the whole group.
  setTimeout(() => child.kill('SIGKILL'), GUARD_GRACE_MS).unref();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.stdin.on('end', () => stop('SIGTERM'));
process.stdin.on('error', () => stop('SIGTERM'));
process.stdin.resume();
child.on('error', (err) => {
  process.stderr.write(`guard: cannot start ${command}: ${err.message}\n`);
  process.exit(127);
});
child.on('exit', (code, sig) => {
  if (sig) {
    process.stderr.write(`${GUARD_SIGNAL_PREFIX}${sig}\n`);
    process.exit(128 + (constants.signals[sig] ?? 15));
  }
  process.exit(code ?? 1);
});
