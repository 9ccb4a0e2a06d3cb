// Issuing a trial's certificates off the controller's thread. Loading the X.509 library and
// its first certificates costs a few hundred ms of CPU; `startTrialIssuer()`, called when a
// trial command starts, does that on a worker thread while the controller loads its own
// modules, and `prefetchTrialCerts()` asks for the agents' set as soon as the rig names them,
// so it is ready when bring-up asks. Without a thread (or when run from the TypeScript
// sources, where there is no compiled worker), the set is issued here.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrialCertSet } from './trial-set.js';

type Reply = { seq: number; set?: TrialCertSet; error?: string };

let worker: Worker | null = null;
let seq = 0;
const pending = new Map<number, { resolve: (s: TrialCertSet) => void; reject: (e: Error) => void }>();

/** Start the issuer thread (once); it does not keep the process alive. */
export function startTrialIssuer(): void {
  if (worker) return;
  const file = new URL('./issuer-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(file))) return;
  // Not the command line's node options (some are refused in a worker, e.g. --input-type).
  const w = new Worker(file, { execArgv: [] });
  w.unref();
  w.on('message', (r: Reply) => {
    const p = pending.get(r.seq);
    if (!p) return;
    pending.delete(r.seq);
    if (pending.size === 0) w.unref();
    if (r.set) p.resolve(r.set);
    else p.reject(new Error(`issuing the trial's certificates: ${r.error}`));
  });
  // A thread that failed to start or died: what it owed is issued here instead.
  const lost = () => {
    if (worker === w) worker = null;
    for (const p of pending.values()) p.reject(new Error('certificate issuer thread ended'));
    pending.clear();
  };
  w.on('error', lost);
  w.on('exit', lost);
  worker = w;
}

/** The set asked for ahead (prefetchTrialCerts), taken by the first issueTrialCerts for the same ids. */
let ahead: { key: string; set: Promise<TrialCertSet> } | null = null;

/** Ask the issuer thread for this set now; the next issueTrialCerts(agentIds) gets it. */
export function prefetchTrialCerts(agentIds: readonly string[]): void {
  if (!worker || agentIds.length === 0) return;
  const set = fromThread(worker, agentIds);
  set.catch(() => undefined); // a failure is the taker's (which then issues the set itself)
  ahead = { key: agentIds.join('\n'), set };
}

function fromThread(w: Worker, agentIds: readonly string[]): Promise<TrialCertSet> {
  return new Promise<TrialCertSet>((resolve, reject) => {
    const n = ++seq;
    pending.set(n, { resolve, reject });
    w.ref();
    w.postMessage({ seq: n, agentIds: [...agentIds] });
  });
}

/** A trial's certificate set: from the issuer thread when started, else issued on this thread. */
export async function issueTrialCerts(agentIds: readonly string[]): Promise<TrialCertSet> {
  const prefetched = ahead?.key === agentIds.join('\n') ? ahead.set : null;
  if (prefetched) {
    ahead = null;
    try {
      return await prefetched;
    } catch {
      // issued below instead
    }
  }
  const w = worker;
  if (w) {
    try {
      return await fromThread(w, agentIds);
    } catch (err) {
      if (!(err instanceof Error && err.message === 'certificate issuer thread ended')) throw err;
    }
  }
  const { issueTrialSet } = await import('./trial-set.js');
  return issueTrialSet(agentIds);
}
