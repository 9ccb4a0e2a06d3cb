// When gRPC reports only "failed to connect", a direct TLS handshake with the same
// certificates says who refused whom: under TLS 1.3 the agent's refusal of a client
// certificate arrives as an alert after the client finished its side of the handshake,
// which grpc-js does not pass on.
import { connect } from 'node:tls';
import { messageOf } from '../errors.js';
import type { TlsPems } from './files.js';
import { certificateNames, explainTlsFailure, WRONG_AGENT } from './grpc.js';

const REFUSED_AFTER_HANDSHAKE =
  "the agent refused the controller's certificate: it closed the connection right after the TLS handshake " +
  '(the certificate is not from the lab CA the agent trusts, or is not a client certificate)';

/**
 * Handshake with the agent at host:port as the controller would, and explain a refusal by
 * either side; null when the handshake succeeds and the agent keeps the connection open.
 */
export function probeAgentTls(host: string, port: number, p: TlsPems, agentId: string, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const sock = connect({
      host,
      port,
      ca: p.ca,
      cert: p.cert,
      key: p.key,
      servername: agentId,
      ALPNProtocols: ['h2'],
      checkServerIdentity: (_h, cert) =>
        certificateNames(cert).includes(agentId)
          ? undefined
          : new Error(`${WRONG_AGENT}: its certificate names ${certificateNames(cert).map((n) => JSON.stringify(n)).join(', ') || 'nobody'}, the rig expects ${JSON.stringify(agentId)}`),
    });
    const timer = setTimeout(() => done(null), timeoutMs);
    // Failing to reach the port at all is not a TLS matter: the caller reports it as unreachable.
    let reached = false;
    sock.once('connect', () => (reached = true));
    let secured = false;
    sock.on('secureConnect', () => {
      secured = true;
      // The agent's verdict on our certificate comes now, as an alert, or not at all; the
      // HTTP/2 preface makes the socket read it.
      sock.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
      setTimeout(() => done(null), Math.min(500, timeoutMs));
    });
    sock.on('error', (err) => done(reached ? (explainTlsFailure(messageOf(err)) ?? `TLS handshake failed: ${messageOf(err)}`) : null));
    sock.on('data', () => undefined);
    sock.on('close', () =>
      done(!reached ? null : secured ? REFUSED_AFTER_HANDSHAKE : 'the agent closed the connection during the TLS handshake (not a TLS agent, or it refused the controller)'),
    );
  });
}
