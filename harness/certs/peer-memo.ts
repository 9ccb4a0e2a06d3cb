// grpc-js reads the client's certificate on every call (getAuthContext -> getPeerCertificate),
// and Node builds that object anew each time (parsed names, three fingerprints): on a twin
// agent it was a fifth of what a control costs. Over HTTP/2 a connection's peer certificate
// cannot change: Node disables TLS renegotiation on every HTTP/2 session's socket
// (lib/internal/http2/core.js), as RFC 9113 requires. So an agent's process keeps the first
// answer for each HTTP/2 socket; every new connection is read (and verified) afresh.
import { TLSSocket, type PeerCertificate } from 'node:tls';

let installed = false;

/** In an agent's process: getPeerCertificate() is read once per HTTP/2 TLS socket. */
export function rememberPeerCertificates(): void {
  if (installed) return;
  installed = true;
  const read = TLSSocket.prototype.getPeerCertificate;
  const seen = new WeakMap<TLSSocket, PeerCertificate>();
  TLSSocket.prototype.getPeerCertificate = function (this: TLSSocket, detailed?: boolean) {
    if (detailed || this.alpnProtocol !== 'h2') return read.call(this, detailed);
    let cert = seen.get(this);
    if (!cert) {
      cert = read.call(this, false);
      // Only once the handshake has a certificate (before it, or without one, an empty object).
      if (cert?.raw) seen.set(this, cert);
    }
    return cert;
  } as typeof read;
}
