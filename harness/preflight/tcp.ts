// Reachability of a plain TCP service: the cheapest proof that a host and its agent are up.
import { connect } from 'node:net';

/** A TCP connection to host:port (name resolution included) within the timeout. */
export function tcpReachable(address: string, timeoutMs: number): Promise<string> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    sock.once('connect', () => {
      sock.destroy();
      resolve(`${address} accepts connections`);
    });
    sock.once('timeout', () => {
      sock.destroy();
      reject(new Error(`${address}: no answer within ${timeoutMs} ms`));
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      sock.destroy();
      reject(new Error(`${address}: ${err.code === 'ENOTFOUND' ? `host ${host} not found` : err.code === 'ECONNREFUSED' ? 'connection refused' : err.message}`));
    });
  });
}
