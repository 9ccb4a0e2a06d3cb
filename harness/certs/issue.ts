// Issuing the lab's certificates with @peculiar/x509 (WebCrypto keys, ECDSA P-256): one lab
// CA, a server certificate per agent (CN and SAN name the agent's id, the id the rig gives
// its base station) and a client certificate for the controller.
//
// Extended key usage keeps the roles apart: an agent's certificate is serverAuth only, so an
// agent (or whoever holds its key) cannot act as a controller towards another agent; the
// controller's is clientAuth only.
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';

const crypto = webcrypto as unknown as Crypto;

// The library takes a fifth of a second to load: agents, which only read certificates, never do.
let lib: Promise<typeof X509> | null = null;
function x509lib(): Promise<typeof X509> {
  lib ??= (async () => {
    await import('reflect-metadata'); // the Reflect metadata API @peculiar/x509's tsyringe needs
    const x = await import('@peculiar/x509');
    x.cryptoProvider.set(crypto);
    return x;
  })();
  return lib;
}

/** Loads the X.509 library now (the issuer thread does, before the first request comes). */
export async function loadX509(): Promise<void> {
  await x509lib();
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

/** A certificate and its private key, PEM (the key PKCS#8). */
export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface LabCa extends PemPair {
  readonly cert: X509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

export type CertRole = 'agent' | 'controller';

/** The id an agent's certificate carries: the rig's base station id. */
export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

async function keyPem(key: CryptoKey): Promise<string> {
  const x509 = await x509lib();
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // A minute of slack for hosts whose clocks differ a little.
  const now = Date.now();
  return { notBefore: new Date(now - 60_000), notAfter: new Date(now + days * DAY_MS) };
}

/** A new lab CA (self-signed, may sign leaf certificates only). */
export async function createLabCa(name = 'ranlab lab CA', validDays = 825): Promise<LabCa> {
  const x509 = await x509lib();
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${dnValue(name)}`,
    keys,
    signingAlgorithm: ALG,
    ...validity(validDays),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}

/** Load a CA written by `ranlab certs init` (to issue more certificates from it). */
export async function loadLabCa(certPem: string, caKeyPem: string): Promise<LabCa> {
  const x509 = await x509lib();
  const cert = new x509.X509Certificate(certPem);
  const privateKey = await crypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(caKeyPem), ALG, true, ['sign']);
  const publicKey = await cert.publicKey.export(ALG, ['verify'], crypto);
  return { cert, keys: { privateKey, publicKey }, certPem, keyPem: caKeyPem };
}

function dnValue(s: string): string {
  // Characters that would need escaping in a distinguished name are not allowed in names.
  if (!/^[A-Za-z0-9 _.@-]{1,64}$/.test(s)) throw new Error(`certificate name ${JSON.stringify(s)} must be 1..64 of A-Z a-z 0-9 space _ . @ -`);
  return s;
}

export interface IssueOptions {
  /** CN and first DNS SAN: the agent's id, or the controller's name. */
  id: string;
  role: CertRole;
  /** More subject alternative names (host names or IP addresses an agent is reached at). */
  hosts?: string[];
  validDays?: number;
}

/** A leaf certificate signed by the lab CA. */
export async function issueCert(ca: LabCa, opts: IssueOptions): Promise<PemPair> {
  const x509 = await x509lib();
  if (opts.role === 'agent' && !AGENT_ID.test(opts.id)) throw new Error(`agent id ${JSON.stringify(opts.id)} is not a rig id`);
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [opts.id, ...(opts.hosts ?? [])].map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${dnValue(opts.id)}`,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALG,
    ...validity(opts.validDays ?? 825),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([opts.role === 'agent' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyPem(keys.privateKey) };
}
