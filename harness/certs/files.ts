// Certificate files on disk. Keys are written 0600 into folders made 0700, so another user of
// the host can read neither the keys nor which agents exist. The layout of a lab folder
// (`ranlab certs init <dir>`) and of a trial's folder (results/<trial>/certs) is the same:
//   ca.pem                      the lab CA certificate (what every side trusts)
//   ca-key.pem                  the CA's key (lab folder only: a trial's CA key is never written)
//   controller.pem, controller-key.pem
//   agent-<id>.pem, agent-<id>-key.pem
import { chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, messageOf } from '../errors.js';
import { AGENT_ID, createLabCa, issueCert, loadLabCa, type LabCa } from './issue.js';
import { issueTrialCerts } from './issuer.js';

/** The three files one side of a TLS connection needs. */
export interface TlsFiles {
  /** The lab CA certificate: peers must present a certificate it signed. */
  caFile: string;
  /** This side's certificate. */
  certFile: string;
  /** This side's private key. */
  keyFile: string;
}

/** The same, read into memory. */
export interface TlsPems {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export const CA_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

export function controllerFiles(dir: string): TlsFiles {
  return { caFile: join(dir, CA_FILE), certFile: join(dir, 'controller.pem'), keyFile: join(dir, 'controller-key.pem') };
}

export function agentFiles(dir: string, id: string): TlsFiles {
  return { caFile: join(dir, CA_FILE), certFile: join(dir, `agent-${id}.pem`), keyFile: join(dir, `agent-${id}-key.pem`) };
}

/** A folder only this user may enter (created or tightened). */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Write a file readable by this user only; refuses to replace an existing file unless `replace`. */
export function writePrivateFile(path: string, text: string, replace = false): void {
  writeFileSync(path, text, { mode: 0o600, flag: replace ? 'w' : 'wx' });
  chmodSync(path, 0o600);
}

const MAX_PEM_BYTES = 64 * 1024;

function readPem(path: string, what: string, who: string, isKey: boolean): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put where a key should be must not hang the controller.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ConfigError(`${who}: cannot read ${what} ${path}: ${messageOf(err)}`, 'TLS_FILE_UNREADABLE', { cause: err });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ConfigError(`${who}: ${what} ${path} is not a regular file`, 'TLS_FILE_UNREADABLE');
    if (st.size > MAX_PEM_BYTES) throw new ConfigError(`${who}: ${what} ${path} is larger than ${MAX_PEM_BYTES} bytes`, 'TLS_FILE_UNREADABLE');
    if (isKey && (st.mode & 0o077) !== 0) {
      throw new ConfigError(`${who}: private key ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`, 'TLS_KEY_EXPOSED');
    }
    const buf = readFileSync(fd);
    const label = isKey ? /-----BEGIN (EC |RSA )?PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/;
    if (!label.test(buf.toString('latin1'))) throw new ConfigError(`${who}: ${what} ${path} is not a PEM ${isKey ? 'private key' : 'certificate'}`, 'TLS_FILE_INVALID');
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** Read one side's TLS files; errors name `who` (the agent or "controller") and the file. */
export function readTlsFiles(files: TlsFiles, who: string): TlsPems {
  return {
    ca: readPem(files.caFile, 'CA certificate', who, false),
    cert: readPem(files.certFile, 'certificate', who, false),
    key: readPem(files.keyFile, 'private key', who, true),
  };
}

async function writeSet(dir: string, ca: LabCa, agents: readonly { id: string; hosts?: string[] }[], controllerName: string, replace: boolean): Promise<void> {
  writePrivateFile(join(dir, CA_FILE), ca.certPem, replace);
  const ctl = await issueCert(ca, { id: controllerName, role: 'controller' });
  const cf = controllerFiles(dir);
  writePrivateFile(cf.certFile, ctl.certPem, replace);
  writePrivateFile(cf.keyFile, ctl.keyPem, replace);
  for (const a of agents) {
    const pair = await issueCert(ca, { id: a.id, role: 'agent', hosts: a.hosts });
    const af = agentFiles(dir, a.id);
    writePrivateFile(af.certFile, pair.certPem, replace);
    writePrivateFile(af.keyFile, pair.keyPem, replace);
  }
}

function checkAgentIds(agents: readonly { id: string }[]): void {
  const seen = new Set<string>();
  for (const a of agents) {
    if (!AGENT_ID.test(a.id)) throw new ConfigError(`agent id ${JSON.stringify(a.id)}: expected letters, digits, "-", "_" or "." (max 63), as the rig names base stations`);
    if (seen.has(a.id)) throw new ConfigError(`agent id ${a.id} given twice`);
    seen.add(a.id);
  }
}

export interface LabCertsOptions {
  agents: readonly { id: string; hosts?: string[] }[];
  /** CN of the controller's certificate (default "ranlab-controller"). */
  controllerName?: string;
  /** Replace files that exist (default: refuse). */
  force?: boolean;
}

/** `ranlab certs init <dir>`: a lab CA (its key kept in ca-key.pem), the controller's and each agent's certificate. */
export async function initLabCerts(dir: string, opts: LabCertsOptions): Promise<string[]> {
  checkAgentIds(opts.agents);
  makePrivateDir(dir);
  const ca = await createLabCa();
  try {
    writePrivateFile(join(dir, CA_KEY_FILE), ca.keyPem, opts.force === true);
    await writeSet(dir, ca, opts.agents, opts.controllerName ?? 'ranlab-controller', opts.force === true);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConfigError(`${dir} already holds certificates (${(err as NodeJS.ErrnoException).path ?? ''}): use --force to replace them, or another folder`, 'CERTS_EXIST');
    }
    throw err;
  }
  return [CA_FILE, CA_KEY_FILE, 'controller.pem', 'controller-key.pem', ...opts.agents.flatMap((a) => [`agent-${a.id}.pem`, `agent-${a.id}-key.pem`])];
}

/** Issue one more agent's certificate from a lab folder's CA (`ranlab certs add`). */
export async function addAgentCert(dir: string, agent: { id: string; hosts?: string[] }, force = false): Promise<TlsFiles> {
  checkAgentIds([agent]);
  const ca = await loadLabCa(readFileSync(join(dir, CA_FILE), 'utf8'), readFileSync(join(dir, CA_KEY_FILE), 'utf8'));
  const pair = await issueCert(ca, { id: agent.id, role: 'agent', hosts: agent.hosts });
  const af = agentFiles(dir, agent.id);
  writePrivateFile(af.certFile, pair.certPem, force);
  writePrivateFile(af.keyFile, pair.keyPem, force);
  return af;
}

export interface TrialCerts {
  dir: string;
  controller: TlsFiles;
  agents: Map<string, TlsFiles>;
}

/**
 * Certificates made for one trial of the twin, in `dir` (0700, files 0600): a fresh CA whose
 * key never touches the disk and is dropped when this returns, so nothing issued later can
 * join the trial.
 */
export async function makeTrialCerts(dir: string, agentIds: readonly string[]): Promise<TrialCerts> {
  const agents = agentIds.map((id) => ({ id }));
  checkAgentIds(agents);
  makePrivateDir(dir);
  const set = await issueTrialCerts(agentIds);
  writePrivateFile(join(dir, CA_FILE), set.caPem);
  const cf = controllerFiles(dir);
  writePrivateFile(cf.certFile, set.controller.certPem);
  writePrivateFile(cf.keyFile, set.controller.keyPem);
  agentIds.forEach((id, i) => {
    const af = agentFiles(dir, id);
    writePrivateFile(af.certFile, set.agents[i]!.certPem);
    writePrivateFile(af.keyFile, set.agents[i]!.keyPem);
  });
  return { dir, controller: controllerFiles(dir), agents: new Map(agentIds.map((id) => [id, agentFiles(dir, id)])) };
}
