// The fan-out baseline's server: proto/e2.proto's E2Node in plain grpc-js, with the same
// mutual-TLS credentials as a twin agent, answering every Control at once and doing nothing.
//   node bench/lib/bare-e2-server.mjs <config.json>   (the twin agent's config file)
// Prints `listening on <port>` and serves until stdin closes.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { agentServerCredentials, readTlsFiles } from '../../dist/harness/certs/index.js';
import { loadE2Proto } from '../../dist/harness/wire/index.js';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const server = new grpc.Server();
server.addService(loadE2Proto().service, {
  Setup: (_call, cb) => cb(null, { globalNodeId: cfg.nodeId, operator: cfg.operator, cells: [], ranFunctions: [], nodeTimeNs: '0' }),
  Control: (call, cb) => {
    const r = call.request;
    cb(null, { cellId: (r.prbQuota ?? r.cellState)?.cellId ?? '', effectiveTimeNs: process.hrtime.bigint().toString() });
  },
  Subscribe: (call) => call.end(),
});
server.bindAsync('127.0.0.1:0', agentServerCredentials(readTlsFiles(cfg.tls, cfg.nodeId)), (err, port) => {
  if (err) throw err;
  process.stdout.write(`listening on ${port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
