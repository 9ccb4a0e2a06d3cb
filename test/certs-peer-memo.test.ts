// An agent reads its caller's certificate once per HTTP/2 connection (certs/peer-memo.ts): the
// same connection answers with the first reading, and every new connection, with whatever
// certificate it holds, is read afresh. Real TLS over loopback, certificates from a lab CA.
import { connect, createSecureServer, type ClientHttp2Session, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { TLSSocket, type PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabCa, issueCert, rememberPeerCertificates, type PemPair } from '../harness/certs/index.js';

let server: Http2SecureServer;
let port = 0;
let ca = '';
let alice: PemPair;
let bob: PemPair;
const sessions: ClientHttp2Session[] = [];

beforeAll(async () => {
  const lab = await createLabCa('peer-memo test CA', 1);
  ca = lab.certPem;
  const agent = await issueCert(lab, { id: 'gnb-a', role: 'agent' });
  alice = await issueCert(lab, { id: 'alice', role: 'controller' });
  bob = await issueCert(lab, { id: 'bob', role: 'controller' });
  rememberPeerCertificates();
  server = createSecureServer({ key: agent.keyPem, cert: agent.certPem, ca, requestCert: true, rejectUnauthorized: true });
  // Each request answers with the CN read twice from its connection, and whether both reads gave one object.
  server.on('stream', (stream) => {
    const socket = stream.session!.socket as TLSSocket;
    const first: PeerCertificate = socket.getPeerCertificate();
    const second: PeerCertificate = socket.getPeerCertificate();
    stream.respond({ ':status': 200 });
    stream.end(JSON.stringify({ cn: first.subject.CN, again: second.subject.CN, same: first === second }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of sessions) s.close();
  await new Promise((r) => server.close(r));
});

function session(who: PemPair): ClientHttp2Session {
  const s = connect(`https://127.0.0.1:${port}`, { ca, key: who.keyPem, cert: who.certPem, servername: 'gnb-a' });
  sessions.push(s);
  return s;
}

function ask(s: ClientHttp2Session): Promise<{ cn: string; again: string; same: boolean }> {
  return new Promise((resolve, reject) => {
    const req = s.request({ ':path': '/' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => resolve(JSON.parse(body) as { cn: string; again: string; same: boolean }));
    req.on('error', reject);
    req.end();
  });
}

describe('peer certificates over HTTP/2', () => {
  it('one connection reads its certificate once; each new connection is read with its own', async () => {
    const a = session(alice);
    expect(await ask(a)).toEqual({ cn: 'alice', again: 'alice', same: true });
    expect(await ask(a)).toEqual({ cn: 'alice', again: 'alice', same: true });
    const b = session(bob);
    expect(await ask(b)).toEqual({ cn: 'bob', again: 'bob', same: true });
    // alice's connection still answers as alice: nothing leaks between connections.
    expect(await ask(a)).toEqual({ cn: 'alice', again: 'alice', same: true });
  });

  it('a detailed reading is never served from the memo', async () => {
    const seen: boolean[] = [];
    const s = session(alice);
    await new Promise<void>((resolve) => {
      const probe = (stream: { session?: { socket: unknown } }) => {
        const socket = stream.session!.socket as TLSSocket;
        seen.push(socket.getPeerCertificate(true) === socket.getPeerCertificate(true));
        server.off('stream', probe);
        resolve();
      };
      server.prependListener('stream', probe);
      void ask(s);
    });
    expect(seen).toEqual([false]);
  });
});
