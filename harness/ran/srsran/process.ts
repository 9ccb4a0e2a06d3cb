// Managed mode: the gNB as the agent's child. Started as `<binary> <args> -c <yaml>`, ready
// when its startup lines say so (facts/RAN.md §1.1): `==== gNB started ===`, `Remote control
// server listening on …`, and with a core `Connection to … completed`; its output goes to a log.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export class GnbStartError extends Error {}

const STARTED = /^==== .* started ===/;
const REMOTE_OK = /^Remote control server listening on /;
const REMOTE_FAIL = /^Remote control server cannot listen on .*/;
const N2_OK = /Connection to .* completed/;

export interface GnbProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
}

export function startGnb(o: { binary: string; args: string[]; extraArgs: string[]; yamlPath: string; logPath: string; needN2: boolean; timeoutMs: number }): Promise<GnbProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.binary, [...o.args, '-c', o.yamlPath, ...o.extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
    const log = createWriteStream(o.logPath, { flags: 'a' });
    const tail: string[] = [];
    const seen = { started: false, remote: false, n2: !o.needN2 };
    let settled = false;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve({ child, exited });
    };
    const onLine = (line: string) => {
      log.write(line + '\n');
      tail.push(line);
      if (tail.length > 8) tail.shift();
      if (STARTED.test(line)) seen.started = true;
      if (REMOTE_OK.test(line)) seen.remote = true;
      if (N2_OK.test(line)) seen.n2 = true;
      if (REMOTE_FAIL.test(line)) finish(new GnbStartError(`the gNB says: ${line}`));
      if (seen.started && seen.remote && seen.n2) finish(null);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.stdin!.on('error', () => undefined);
    child.once('error', (err) => finish(new GnbStartError(`cannot start ${o.binary}: ${err.message}`)));
    child.once('exit', (code, sig) => finish(new GnbStartError(`the gNB exited (${code ?? sig}) before it was ready: ${tail.join(' | ').slice(-600)}`)));
    const timer = setTimeout(() => {
      const missing = [!seen.started && '"==== gNB started ==="', !seen.remote && '"Remote control server listening on"', !seen.n2 && 'the N2 "Connection to … completed"'].filter(Boolean).join(', ');
      finish(new GnbStartError(`the gNB printed no ${missing} within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
  });
}

/** Wait for the process to end; SIGTERM then SIGKILL when it does not within the bounds. */
export async function endGnb(p: GnbProcess, graceMs: number): Promise<void> {
  const wait = (ms: number) => Promise.race([p.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  if (await wait(graceMs)) return;
  p.child.kill('SIGTERM');
  if (await wait(2000)) return;
  p.child.kill('SIGKILL');
  await p.exited;
}
