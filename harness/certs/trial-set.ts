// One trial's certificate set, issued in memory: a fresh CA (its key dropped once the set is
// issued), the controller's client certificate and each agent's server certificate.
import { createLabCa, issueCert, type PemPair } from './issue.js';

export interface TrialCertSet {
  caPem: string;
  controller: PemPair;
  /** In the order of the ids asked for. */
  agents: PemPair[];
}

export async function issueTrialSet(agentIds: readonly string[]): Promise<TrialCertSet> {
  const ca = await createLabCa('ranlab trial CA', 30);
  const controller = await issueCert(ca, { id: 'ranlab-controller', role: 'controller' });
  const agents: PemPair[] = [];
  for (const id of agentIds) agents.push(await issueCert(ca, { id, role: 'agent' }));
  return { caPem: ca.certPem, controller, agents };
}
