// Child processes of a benchmark: started, waited for on a line of their stdout, and killed
// (each by its own handle) when the benchmark ends.
import { spawn } from 'node:child_process';

const children = new Set();

/** Spawn and resolve with the first match of `ready` in its stdout (60 s at most). */
export function startChild(cmd, args, ready, env = {}) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RANLAB_LOG_LEVEL: 'warn', ...env } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${args.join(' ')} not ready after 60 s: ${err}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ child, match: m });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${args.join(' ')} exited (${code}) before ready: ${err}`));
    });
  });
}

export async function stopChildren() {
  const all = [...children];
  await Promise.all(
    all.map(
      (c) =>
        new Promise((r) => {
          c.once('exit', r);
          c.stdin.end();
          setTimeout(() => c.kill('SIGKILL'), 3000).unref();
        }),
    ),
  );
}
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
