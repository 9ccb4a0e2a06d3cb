// The embedded dev chain's administrative methods are unreachable to anyone but the controller
// (issue 8, item 5): the chain runs inside the controller's process, so there is no port at all.
// An attacker running as another user (`nobody`) looks for any listening socket the controller
// holds and tries hardhat_impersonateAccount, hardhat_setBalance and evm_mine on each; a positive
// control (a JSON-RPC answerer the test opens) shows the attack would have worked on a port.
// The final balances in the report are read after the last transaction.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { queryInflux, startEmbeddedInflux, type EmbeddedInflux } from '../harness/measure/index.js';
import { Supervisor } from '../harness/proc/index.js';
import type { SpectrumReport } from '../harness/report/index.js';

const sup = new Supervisor();
const dir = mkdtempSync(join(tmpdir(), 'ranlab-ledger-admin-'));
let influx: EmbeddedInflux;
beforeAll(async () => {
  influx = await startEmbeddedInflux(sup, { dataDir: join(dir, 'influx'), database: 'ranlab' });
});
afterAll(async () => {
  await sup.stopAll();
});

/** TCP ports in LISTEN state whose sockets the process holds (its fds against /proc/net/tcp{,6}). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6'])
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9]!)) ports.push(Number.parseInt(f[1]!.split(':')[1]!, 16));
    }
  return ports;
}

const ATTACK = `
const ports = JSON.parse(process.argv[1]);
const victim = '0x' + '11'.repeat(20);
(async () => {
  const out = {};
  for (const port of ports) {
    out[port] = [];
    for (const [method, params] of [['hardhat_impersonateAccount', [victim]], ['hardhat_setBalance', [victim, '0x1']], ['evm_mine', []]]) {
      try {
        const r = await fetch('http://127.0.0.1:' + port, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), signal: AbortSignal.timeout(2000) });
        const body = await r.json().catch(() => ({}));
        out[port].push(body.error || body.result === undefined ? method + ': refused' : method + ': ACCEPTED');
      } catch (e) { out[port].push(method + ': unreachable'); }
    }
  }
  console.log(JSON.stringify({ uid: process.getuid(), out }));
})();
`;

test('an unprivileged user finds no port of the embedded chain; the positive control shows the attack works where one exists', async () => {
  // Positive control: a JSON-RPC answerer that accepts anything (what a dev chain on a port is).
  const control = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: true })));
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  const controlPort = (control.address() as { port: number }).port;

  const rig = parse(readFileSync('rigs/twin.yaml', 'utf8'));
  rig.name = 'admin';
  rig.ledger = { embedded: true };
  rig.influx = { url: influx.url, database: 'ranlab' };
  rig.spectrum = { ...rig.spectrum, epochMs: 200, supplyTokens: 500 };
  rig.trial = { ...rig.trial, kpmPeriodMs: 50 };
  const path = join(dir, 'admin.yaml');
  writeFileSync(path, stringify(rig));
  const results = mkdtempSync(join(dir, 'results-'));
  const cli = execa(process.execPath, ['bin/ranlab.js', 'trial', path, '--results', results, '--epochs', '25'], { reject: false, all: true, env: { RANLAB_LOG_LEVEL: 'warn' } });
  try {
    // Mid-trial: epochs are being played.
    const deadline = Date.now() + 60_000;
    let id = '';
    for (;;) {
      expect(Date.now() < deadline, 'the trial never reached epoch 3').toBe(true);
      await new Promise((r) => setTimeout(r, 250));
      id = readdirSync(results)[0] ?? '';
      if (!id) continue;
      const [row] = await queryInflux(influx.url, 'ranlab', `SELECT count(grantUnits) AS c FROM epoch_operator WHERE trial='${id}'`).catch(() => []);
      if (row && (row.c as number) >= 6) break;
    }
    const ports = listeningPorts(cli.pid!);
    const attack = await execa('runuser', ['-u', 'nobody', '--', process.execPath, '-e', ATTACK, JSON.stringify([...ports, controlPort])], { reject: false, cwd: '/' });
    const verdict = JSON.parse(attack.stdout) as { uid: number; out: Record<string, string[]> };
    console.info(`controller listening ports: [${ports.join(', ')}]; attacker uid ${verdict.uid}: ${JSON.stringify(verdict.out)}`);
    expect(verdict.uid).not.toBe(process.getuid());
    expect(verdict.out[controlPort]).toEqual(['hardhat_impersonateAccount: ACCEPTED', 'hardhat_setBalance: ACCEPTED', 'evm_mine: ACCEPTED']);
    expect(ports).toEqual([]); // no port at all: the chain is in the controller's process
    for (const p of ports) expect(verdict.out[p]!.some((x) => x.endsWith('ACCEPTED'))).toBe(false);
  } finally {
    const run = await cli;
    control.close();
    expect(run.exitCode, run.all).toBe(0);
  }
  // The report's final balances are the contract's after the last settlement: they equal the
  // balances written with the last epoch, and sum to the supply.
  const [id] = readdirSync(results);
  const report = JSON.parse(readFileSync(join(results, id!, 'report.json'), 'utf8')) as SpectrumReport;
  const last = await queryInflux(influx.url, 'ranlab', `SELECT balanceTokens, operator FROM epoch_operator WHERE trial='${report.trialId}' AND epoch=25`);
  for (const o of report.operators) expect(last.find((r) => r.operator === o.name)!.balanceTokens).toBeCloseTo(o.finalBalance!, 6);
  expect(report.supply).toMatchObject({ conserved: true, initialMicro: '500000000' });
}, 120_000);
