// The trial certificate issuer's thread (see issuer.ts): loads and warms the X.509 code, then
// issues one set per request. Each set has its own CA, made for that request.
import { parentPort } from 'node:worker_threads';
import { issueTrialSet } from './trial-set.js';

export interface IssueRequest {
  seq: number;
  agentIds: string[];
}

const port = parentPort!;
// Warm-up: the library's first certificate costs several times the next ones (cold code).
const warm = issueTrialSet(['warm-up']).catch(() => undefined);
port.on('message', (req: IssueRequest) => {
  void warm
    .then(() => issueTrialSet(req.agentIds))
    .then(
      (set) => port.postMessage({ seq: req.seq, set }),
      (err: unknown) => port.postMessage({ seq: req.seq, error: err instanceof Error ? err.message : String(err) }),
    );
});
