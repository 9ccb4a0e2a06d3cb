// The edge agent as a real separate process (`ranlab edge-agent`), over real gRPC with mutual
// TLS on loopback: status (CPU figures here: no NVML on this machine), deploy, inference at a
// split point against the whole model run locally, the clock exchange, and refusal of a
// client whose certificate is not from the lab CA. Needs a build (npx tsc -p tsconfig.json).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTrialCerts, type TrialCerts } from '../harness/certs/index.js';
import { EdgeClient, startEdgeAgent } from '../harness/edge/index.js';
import { BlockRunner, PATCHNET, sampleInput } from '../harness/offload/model/index.js';
import { Supervisor } from '../harness/proc/index.js';

let tmp: string;
let certs: TrialCerts;
let address: string;
const supervisor = new Supervisor();
const clients: EdgeClient[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-edge-'));
  certs = await makeTrialCerts(join(tmp, 'certs'), ['edge-1']);
  address = await startEdgeAgent(supervisor, 'edge-1', certs.agents.get('edge-1')!, join(tmp, 'agent'));
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await supervisor.stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

const client = (tls = certs.controller, id = 'edge-1') => {
  const c = new EdgeClient(id, address, tls);
  clients.push(c);
  return c;
};

describe('edge agent', () => {
  it('reports CPU figures and says why NVML is absent', async () => {
    const s = await client().status();
    expect(s.hostId).toBe('edge-1');
    expect(s.cpuCount).toBeGreaterThan(0);
    if (s.gpus.length === 0) expect(s.nvmlNote).toMatch(/NVML not available/);
  });

  it('serves the tail of the model: split inference equals the whole model run here', async () => {
    const c = client();
    const d = await c.deploy(PATCHNET.name, 11);
    expect(d.blockMs).toHaveLength(PATCHNET.blocks.length);
    expect(d.blockMs.every((ms) => ms > 0)).toBe(true);
    const local = await BlockRunner.load(PATCHNET, 11, 0, PATCHNET.blocks.length);
    const x = sampleInput(PATCHNET, 3);
    const whole = (await local.run(0, 5, x)).output;
    const head = (await local.run(0, 2, x)).output;
    await local.release();
    const stream = c.openStream();
    const r = await stream.infer(1n, 2, Buffer.from(head.buffer, head.byteOffset, head.byteLength));
    stream.end();
    const out = new Float32Array(r.reply.output.buffer.slice(r.reply.output.byteOffset, r.reply.output.byteOffset + r.reply.output.length));
    expect(out.length).toBe(10);
    for (let i = 0; i < 10; i++) expect(out[i]).toBeCloseTo(whole[i]!, 4);
    const [recv, start, end, send] = [r.reply.recvNs, r.reply.startNs, r.reply.endNs, r.reply.sendNs].map(BigInt);
    expect(recv <= start && start < end && end <= send).toBe(true);
  }, 60_000);

  it('a deployment from split 2 profiles only the blocks it serves', async () => {
    const d = await client().deploy(PATCHNET.name, 11, 2);
    expect(d.blockMs.slice(0, 2)).toEqual([0, 0]);
    expect(d.blockMs.slice(2).every((ms) => ms > 0)).toBe(true);
    await expect(client().deploy('no-such-model', 1)).rejects.toThrow(/unknown model "no-such-model"/);
  }, 60_000);

  it('refuses a tensor of the wrong size for its split, naming both sizes', async () => {
    const c = client();
    await c.deploy(PATCHNET.name, 11);
    const stream = c.openStream();
    await expect(stream.infer(2n, 1, Buffer.alloc(12))).rejects.toThrow(/12 bytes, the model says 65536/);
    stream.end();
  }, 60_000);

  it('clock exchange: same host, so the offset lies within its error bound of zero', async () => {
    const o = await client().syncClock(8);
    expect(o.errorNs).toBeGreaterThan(0);
    expect(Math.abs(o.offsetNs)).toBeLessThanOrEqual(o.errorNs + 1e6);
  });

  it('refuses a controller whose certificate is not from the lab CA', async () => {
    const other = await makeTrialCerts(join(tmp, 'other'), ['edge-1']);
    await expect(client(other.controller).status()).rejects.toThrow(/edge-1/);
  });
});
