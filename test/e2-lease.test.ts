// The agent's lease as the e2 driver keeps it, seen from an agent written from the proto
// (test/helpers/evil-e2.ts, honest here): every call renews the lease, so while controls flow
// the driver sends no Setup of its own, and once they stop it renews with Setup again; the
// agent never goes longer than two renewal periods without a call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentFiles, controllerFiles, initLabCerts, readTlsFiles } from '../harness/certs/index.js';
import { createBaseStation } from '../harness/ran/index.js';
import { EvilAgent, type EvilCell } from './helpers/evil-e2.js';

const CELL: EvilCell = { cellId: 'gnb-l-c1', rat: 'NR', band: 'n46', carrierMhz: 5170, bandwidthMhz: 40, scsKhz: 15, pci: 202, prbTotal: 216, arfcn: 744_667 };
const RENEW_MS = 100;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-lease-'));
  await initLabCerts(join(tmp, 'lab'), { agents: [{ id: 'gnb-l' }] });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('controls renew the lease (no Setup while they flow); Setup renews it once they stop', async () => {
  const agent = new EvilAgent({ nodeId: 'gnb-l', operator: 'op-l', cells: [CELL], tls: agentFiles(join(tmp, 'lab'), 'gnb-l') });
  const calls: { kind: 'setup' | 'control'; at: number }[] = [];
  agent.setup = (res) => (calls.push({ kind: 'setup', at: performance.now() }), res);
  agent.ack = (ack) => (calls.push({ kind: 'control', at: performance.now() }), ack);
  const bs = createBaseStation('gnb-l', await agent.start(), { tls: readTlsFiles(controllerFiles(join(tmp, 'lab')), 'controller'), leaseRenewMs: RENEW_MS });
  try {
    await bs.setup();
    const flowing = performance.now();
    for (let i = 0; i < 20; i++) {
      await bs.control({ kind: 'prbQuota', cellId: CELL.cellId, startPrb: 0, nPrb: 10 + i });
      await sleep(30);
    }
    const stopped = performance.now();
    await sleep(6 * RENEW_MS);
    const during = calls.filter((c) => c.at > flowing && c.at < stopped);
    const after = calls.filter((c) => c.at >= stopped);
    expect(during.filter((c) => c.kind === 'control')).toHaveLength(20);
    expect(during.filter((c) => c.kind === 'setup')).toHaveLength(0);
    expect(after.filter((c) => c.kind === 'setup').length).toBeGreaterThanOrEqual(3);
    // Never more than two renewal periods (plus timer slack) without a call reaching the agent.
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    expect(Math.max(...gaps)).toBeLessThan(2 * RENEW_MS + 60);
  } finally {
    bs.close();
    agent.stop();
  }
});
