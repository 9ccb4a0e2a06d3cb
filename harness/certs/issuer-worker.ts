// The trial certificate issuer's thread (see issuer.ts): loads the X.509 code, then issues one
// set per request. Each set has its own CA, made for that request.
import { parentPort } from 'node:worker_threads';
import { loadX509 } from './issue.js';
import { issueTrialSet } from './trial-set.js';

export interface IssueRequest {
  seq: number;
  agentIds: string[];
}

const port = parentPort!;
// The trial command asks for its set as soon as it has read the rig (prefetchTrialCerts), so
// no warm-up set is issued: it would only take CPU from the rest of the start-up.
const warm = loadX509().catch(() => undefined);
port.on('message', (req: IssueRequest) => {
  void warm
    .then(() => issueTrialSet(req.agentIds))
    .then(
      (set) => port.postMessage({ seq: req.seq, set }),
      (err: unknown) => port.postMessage({ seq: req.seq, error: err instanceof Error ? err.message : String(err) }),
    );
});
