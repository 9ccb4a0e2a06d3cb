// Issuing a trial's certificates off the controller's thread. Loading the X.509 library and
// its first certificates costs a few hundred ms of CPU; `startTrialIssuer()`, called when a
// trial command starts, does that on a worker thread while the controller loads its own
// modules, and `prefetchTrialCerts()` asks for the agents' set as soon as the rig names them,
// so it is ready when bring-up asks. Without a thread (or when run from the TypeScript
// sources, where there is no compiled worker), the set is issued here.
import { ThreadClient, ThreadLost } from '../proc/thread.js';
import type { IssueRequest } from './issuer-worker.js';
import type { TrialCertSet } from './trial-set.js';

let thread: ThreadClient | null = null;

/** Start the issuer thread (once); it does not keep the process alive. */
export function startTrialIssuer(): void {
  if (!thread?.alive) thread = ThreadClient.start(new URL('./issuer-worker.js', import.meta.url), 'the certificate issuer thread');
}

/** The set asked for ahead (prefetchTrialCerts), taken by the first issueTrialCerts for the same ids. */
let ahead: { key: string; set: Promise<TrialCertSet> } | null = null;

/** Ask the issuer thread for this set now; the next issueTrialCerts(agentIds) gets it. */
export function prefetchTrialCerts(agentIds: readonly string[]): void {
  if (!thread?.alive || agentIds.length === 0) return;
  const set = fromThread(thread, agentIds);
  set.catch(() => undefined); // a failure is the taker's (which then issues the set itself)
  ahead = { key: agentIds.join('\n'), set };
}

async function fromThread(t: ThreadClient, agentIds: readonly string[]): Promise<TrialCertSet> {
  try {
    return (await t.ask({ agentIds: [...agentIds] } satisfies IssueRequest)) as TrialCertSet;
  } catch (err) {
    if (err instanceof ThreadLost) throw err;
    throw new Error(`issuing the trial's certificates: ${(err as Error).message}`, { cause: err });
  }
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
  const t = thread;
  if (t?.alive) {
    try {
      return await fromThread(t, agentIds);
    } catch (err) {
      // A thread that failed to start or died: what it owed is issued here instead.
      if (!(err instanceof ThreadLost)) throw err;
    }
  }
  const { issueTrialSet } = await import('./trial-set.js');
  return issueTrialSet(agentIds);
}
