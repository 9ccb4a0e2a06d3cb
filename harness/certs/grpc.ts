// Mutual TLS for proto/e2.proto (and any other agent protocol) over grpc-js.
//
// The agent's side: only clients holding a certificate from the lab CA get in (TLS refuses
// the rest before any RPC). The controller's side: the agent must hold a certificate from
// the lab CA that names the base station the rig expects at that address (CN or a DNS SAN
// equal to the rig's id), so an agent cannot pose as another operator's base station.
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { TlsPems } from './files.js';

/** Server credentials of an agent: require and verify a client certificate from the lab CA. */
export function agentServerCredentials(p: TlsPems): grpc.ServerCredentials {
  return grpc.ServerCredentials.createSsl(p.ca, [{ private_key: p.key, cert_chain: p.cert }], true);
}

/**
 * The verified client of a server call: the CN of the certificate TLS checked against the lab
 * CA, or null when the call came without one (which an agent's credentials never allow; a
 * handler checks anyway, so a misconfigured server refuses instead of obeying anyone).
 */
export function verifiedClient(call: { getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate } }): string | null {
  const ctx = call.getAuthContext();
  const cert = ctx.transportSecurityType === 'ssl' ? ctx.sslPeerCertificate : undefined;
  if (!cert || !cert.subject) return null;
  // An agent sees the same certificate object on every call of a connection (peer-memo.ts).
  let name = clientNames.get(cert);
  if (name === undefined) {
    name = certificateNames(cert)[0] ?? null;
    clientNames.set(cert, name);
  }
  return name;
}

const clientNames = new WeakMap<PeerCertificate, string | null>();

/** The names a certificate gives its holder: the subject CN and the DNS SANs. */
export function certificateNames(cert: Pick<PeerCertificate, 'subject' | 'subjectaltname'>): string[] {
  const out: string[] = [];
  const cn = cert.subject?.CN;
  if (typeof cn === 'string') out.push(cn);
  else if (Array.isArray(cn)) out.push(...(cn as string[]));
  for (const part of (cert.subjectaltname ?? '').split(/,\s*/)) if (part.startsWith('DNS:')) out.push(part.slice(4));
  return [...new Set(out)];
}

/** Prefix of the error the controller raises for an agent certificate naming someone else. */
export const WRONG_AGENT = 'controller refused the agent';

export interface ControllerTls {
  credentials: grpc.ChannelCredentials;
  /** Channel options that go with them (SNI and the name checked is the agent's id). */
  channelOptions: grpc.ChannelOptions;
}

/**
 * Channel credentials of the controller towards one agent: present the controller's client
 * certificate; accept only an agent certificate from the lab CA that names `agentId`.
 */
export function controllerCredentials(p: TlsPems, agentId: string): ControllerTls {
  const checkServerIdentity = (_host: string, cert: PeerCertificate): Error | undefined => {
    const names = certificateNames(cert);
    if (names.includes(agentId)) return undefined;
    return new Error(`${WRONG_AGENT}: its certificate names ${names.map((n) => JSON.stringify(n)).join(', ') || 'nobody'}, the rig expects ${JSON.stringify(agentId)}`);
  };
  return {
    credentials: grpc.credentials.createSsl(p.ca, p.key, p.cert, { checkServerIdentity }),
    channelOptions: { 'grpc.ssl_target_name_override': agentId, 'grpc.default_authority': agentId },
  };
}

/**
 * What a failed TLS handshake means, from the controller's side, in words that say which side
 * refused and why; null when `detail` is not a TLS failure.
 */
export function explainTlsFailure(detail: string): string | null {
  if (detail.includes(WRONG_AGENT)) {
    const m = new RegExp(`${WRONG_AGENT}.*?the rig expects "[^"]*"`).exec(detail);
    return m ? m[0] : WRONG_AGENT;
  }
  if (/certificate required|alert number 116|peer did not return a certificate/i.test(detail)) {
    return 'the agent refused the controller: no client certificate was presented (the agent requires one from the lab CA)';
  }
  if (/unknown ca|alert number 48|bad certificate|alert number 42|unsupported certificate|alert number 43/i.test(detail)) {
    return 'the agent refused the controller\'s certificate: it is not signed by the lab CA the agent trusts (or is not a client certificate)';
  }
  if (/self[- ]signed certificate|unable to verify|unable to get (local )?issuer|certificate signature failure|UNABLE_TO_VERIFY|SELF_SIGNED/i.test(detail)) {
    return 'controller refused the agent: its certificate is not signed by the lab CA in the rig';
  }
  if (/certificate has expired|CERT_HAS_EXPIRED|not yet valid/i.test(detail)) {
    return 'a certificate is outside its validity period (expired or not yet valid): check both hosts\' clocks and renew with ranlab certs';
  }
  if (/wrong version number|packet length too long|http\/1|EPROTO/i.test(detail)) {
    return 'the agent does not speak TLS on this port (a plaintext agent, or another service)';
  }
  return null;
}
