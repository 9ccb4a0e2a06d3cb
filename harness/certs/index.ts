// harness/certs: the lab's certificate machinery (mutual TLS between controller and agents).
// `ranlab certs init` writes a lab's files; trials of the twin make their own per trial.
export { createLabCa, issueCert, loadLabCa, AGENT_ID, type LabCa, type PemPair, type CertRole, type IssueOptions } from './issue.js';
export {
  addAgentCert,
  agentFiles,
  controllerFiles,
  initLabCerts,
  makePrivateDir,
  makeTrialCerts,
  readTlsFiles,
  writePrivateFile,
  CA_FILE,
  CA_KEY_FILE,
  type LabCertsOptions,
  type TlsFiles,
  type TlsPems,
  type TrialCerts,
} from './files.js';
export { startTrialIssuer } from './issuer.js';
export { probeAgentTls } from './probe.js';
export { agentServerCredentials, certificateNames, verifiedClient, controllerCredentials, explainTlsFailure, WRONG_AGENT, type ControllerTls } from './grpc.js';
export { rememberPeerCertificates } from './peer-memo.js';
