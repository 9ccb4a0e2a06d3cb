// One HTTP request to InfluxDB with node:http (kept-alive connections), for the sink's writes and
// the /ping checks. Not fetch: its implementation (undici) is compiled on first use, some 70 ms
// of the controller's start-up, and node:http is loaded already (the influx client uses it).
import http from 'node:http';
import https from 'node:https';
import type { InfluxTarget } from './client.js';

export interface HttpAnswer {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/**
 * `method` `path` (with its query) on the target; rejects on a connection error, or with an
 * error named TimeoutError when the whole exchange takes longer than `timeoutMs`.
 */
export function influxRequest(target: InfluxTarget, method: 'GET' | 'POST', path: string, opts: { timeoutMs: number; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  const url = new URL(target.base + path);
  const tls = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (target.authorization) headers.authorization = target.authorization;
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    if (body) headers['content-length'] = body.length;
    const req = (tls ? https : http).request(url, { method, headers, agent: agents[tls ? 'https:' : 'http:'] }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`timed out after ${opts.timeoutMs} ms`), { name: 'TimeoutError' })), opts.timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(body);
  });
}
