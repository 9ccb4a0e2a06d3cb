// Another user of the same host (run as `nobody` by test/auth.test.ts) attacking a twin agent
// and a trial's certificates. Usage: node attacker.mjs <packageRoot> <agent host:port> <cell id> <certs dir>
// Prints one JSON line per attempt: {attempt, got: 'refused' | 'ALLOWED', detail}.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [root, address, cellId, certsDir] = process.argv.slice(2);
const grpc = await import(join(root, 'node_modules/@grpc/grpc-js/build/src/index.js'));
const protoLoader = await import(join(root, 'node_modules/@grpc/proto-loader/build/src/index.js'));
const def = protoLoader.loadSync(join(root, 'proto/e2.proto'), { longs: String, enums: String, defaults: true, oneofs: true });
const E2Node = grpc.loadPackageDefinition(def).ranlab.e2.E2Node;

const report = (attempt, allowed, detail) => process.stdout.write(JSON.stringify({ attempt, got: allowed ? 'ALLOWED' : 'refused', detail: String(detail).slice(0, 300) }) + '\n');

function turnOff(attempt, creds) {
  const client = new E2Node(address, creds, { 'grpc.ssl_target_name_override': 'gnb-a' });
  return new Promise((resolve) =>
    client.Control({ ranFunctionId: 3, cellState: { cellId, on: false } }, { deadline: Date.now() + 3000 }, (err, ack) => {
      report(attempt, !err, err ? `${err.code} ${err.details}` : JSON.stringify(ack));
      client.close();
      resolve();
    }),
  );
}

function subscribeAll(attempt, creds) {
  const client = new E2Node(address, creds);
  return new Promise((resolve) => {
    let got = 0;
    const calls = Array.from({ length: 17 }, () => {
      const c = client.Subscribe({ ranFunctionId: 2, granularityPeriodMs: 60000 });
      c.on('data', () => got++);
      c.on('error', () => undefined);
      c.on('metadata', () => got++);
      return c;
    });
    setTimeout(() => {
      for (const c of calls) c.cancel();
      report(attempt, got > 0, `${got} subscriptions answered`);
      client.close();
      resolve();
    }, 1500);
  });
}

await turnOff('control over plaintext', grpc.credentials.createInsecure());
await turnOff('control over TLS without a client certificate', grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false }));
await subscribeAll('take every KPM subscription slot without a certificate', grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false }));

// A certificate of its own: a CA and a client certificate made with ranlab's own tool.
try {
  const { makeTrialCerts, readTlsFiles } = await import(join(root, 'dist/harness/certs/index.js'));
  const mine = await makeTrialCerts(join(mkdtempSync(join(tmpdir(), 'attacker-')), 'certs'), ['gnb-a']);
  const p = readTlsFiles(mine.controller, 'attacker');
  await turnOff('control with a certificate from its own CA', grpc.credentials.createSsl(null, p.key, p.cert, { rejectUnauthorized: false }));
} catch (err) {
  report('control with a certificate from its own CA', false, `could not even try: ${err.message}`);
}

for (const f of ['', 'ca.pem', 'controller.pem', 'controller-key.pem', 'agent-gnb-a.pem', 'agent-gnb-a-key.pem']) {
  const path = join(certsDir, f);
  try {
    const content = f ? readFileSync(path, 'utf8') : readdirSync(path).join(',');
    report(`read ${f || 'the certificates folder'}`, true, content.slice(0, 40));
  } catch (err) {
    report(`read ${f || 'the certificates folder'}`, false, err.code);
  }
}
