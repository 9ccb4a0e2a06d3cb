// A lifeline for programs that are not ours (influxd, the Hardhat chain): this guard runs the
// program as its child, passes its output through, forwards SIGTERM/SIGINT, and stops it when
// the controller goes away (its stdin, the lifeline, closes) — even after a SIGKILL of the
// controller, which no exit handler sees.
//   node guard.js <command> [args...]
import { spawn } from 'node:child_process';
import { GUARD_GRACE_MS, GUARD_PID_PREFIX } from './guard-protocol.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: guard <command> [args...]\n');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
// The supervisor reports this pid as the program's (the first line, on stderr).
if (child.pid) process.stderr.write(`${GUARD_PID_PREFIX}${child.pid}\n`);
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  child.kill(signal);
  // Escalate before the supervisor does (it waits GUARD_GRACE_MS + 2 s before killing us).
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
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 15 : 1)));
