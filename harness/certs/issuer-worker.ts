// The trial certificate issuer's thread (see issuer.ts): loads the X.509 code, then issues one
// set per request. Each set has its own CA, made for that request.
import { answerRequests } from '../proc/thread.js';
import { loadX509 } from './issue.js';
import { issueTrialSet } from './trial-set.js';

export interface IssueRequest {
  agentIds: string[];
}

// The trial command asks for its set as soon as it has read the rig (prefetchTrialCerts), so
// no warm-up set is issued: it would only take CPU from the rest of the start-up.
const warm = loadX509().catch(() => undefined);
answerRequests<IssueRequest>(async (req) => {
  await warm;
  return issueTrialSet(req.agentIds);
});
