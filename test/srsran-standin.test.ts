// The stand-in gNB as a peer: it refuses the YAML the real gNB refuses, prints the startup
// lines, and answers its remote control as facts/RAN.md documents (sorted keys, errors).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { cliEntry } from '../harness/paths.js';
import { freePort } from '../harness/proc/index.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ranlab-standin-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = (port: number, enableJson = true) => ({
  cu_cp: { amf: { no_core: true } },
  ru_sdr: { device_driver: 'zmq', device_args: 'tx_port=tcp://127.0.0.1:2000,rx_port=tcp://127.0.0.1:2001', srate: 23.04 },
  cell_cfg: { dl_arfcn: 640668, band: 78, channel_bandwidth_MHz: 20, common_scs: 30, plmn: '00101', tac: 7, pci: 1, slicing: [{ sst: 1, sd: 1, sched_cfg: { min_prb_policy_ratio: 0, max_prb_policy_ratio: 100 } }] },
  remote_control: { enabled: true, bind_addr: '127.0.0.1', port },
  metrics: { enable_json: enableJson },
});

function run(yaml: unknown, name: string) {
  const file = join(tmp, `${name}.yml`);
  writeFileSync(file, stringify(yaml));
  const child = spawn(process.execPath, [cliEntry, 'srsgnb-standin', '-c', file], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { text: '' };
  child.stdout.on('data', (d) => (out.text += String(d)));
  child.stderr.on('data', (d) => (out.text += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { child, out, exited };
}

describe('srsRAN gNB stand-in', () => {
  it.each([
    ['a bandwidth 30 kHz SCS does not have', (y: ReturnType<typeof base>) => ({ ...y, cell_cfg: { ...y.cell_cfg, channel_bandwidth_MHz: 35 } }), /cell_cfg\.channel_bandwidth_MHz: 35 MHz is not a channel bandwidth/],
    ['a dl_arfcn outside the band', (y: ReturnType<typeof base>) => ({ ...y, cell_cfg: { ...y.cell_cfg, dl_arfcn: 700000 } }), /cell_cfg\.dl_arfcn: 700000 .* does not fit band n78/],
    ['slice ratios out of order', (y: ReturnType<typeof base>) => ({ ...y, cell_cfg: { ...y.cell_cfg, slicing: [{ sst: 1, sched_cfg: { min_prb_policy_ratio: 60, max_prb_policy_ratio: 50 } }] } }), /ded_prb_policy_ratio <= min_prb_policy_ratio <= max_prb_policy_ratio/],
    ['no AMF and no no_core', (y: ReturnType<typeof base>) => ({ ...y, cu_cp: {} }), /cu_cp\.amf: expected addr/],
  ])('refuses %s: exit 1, naming the field', async (_what, bad, msg) => {
    const r = run(bad(base(0)), 'bad');
    expect(await r.exited).toBe(1);
    expect(r.out.text).toMatch(msg);
  });

  it('startup lines, then the remote control as documented; metrics_subscribe only with enable_json', async () => {
    const port = await freePort();
    const r = run(base(port, false), 'nojson');
    const deadline = Date.now() + 10_000;
    while (!/==== gNB started ===/.test(r.out.text) && Date.now() < deadline) await new Promise((x) => setTimeout(x, 20));
    expect(r.out.text).toMatch(/^NOTE: No JSON metrics|Remote control server listening on 127\.0\.0\.1:\d+\n[\s\S]*Cell pci=1, bw=20 MHz[\s\S]*==== gNB started ===/m);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/any/path`);
    await new Promise((x) => ws.once('open', x));
    const ask = (text: string) =>
      new Promise<string>((resolve) => {
        ws.once('message', (d) => resolve(String(d)));
        ws.send(text);
      });
    expect(await ask('{"cmd":"metrics_subscribe"}')).toMatch(/^\{"cmd":"metrics_subscribe","error":"Unknown command type: metrics_subscribe","timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}"\}$/);
    expect(await ask('{"foo":1}')).toMatch(/^\{"error":"'cmd' object is missing and it is mandatory","timestamp":/);
    expect(await ask('{"cmd":5}')).toMatch(/'cmd' object value type should be a string/);
    expect(await ask('not json')).toMatch(/\[json\.exception\.parse_error\.101\] parse error at line 1, column 1/);
    expect(await ask('{"cmd":"rrm_policy_ratio_set","policies":{"resourceType":"RB","rRMPolicyMemberList":[]}}')).toMatch(/Only 'resourceType' PRB value is supported/);
    // An unknown slice: success, and the gNB logs that nothing matched.
    expect(await ask('{"cmd":"rrm_policy_ratio_set","policies":{"resourceType":"PRB","rRMPolicyMemberList":[{"plmn":"00101","sst":9}],"max_prb_policy_ratio":50}}')).toMatch(/^\{"cmd":"rrm_policy_ratio_set","timestamp":/);
    expect(await ask('{"cmd":"quit"}')).toMatch(/^\{"cmd":"quit","timestamp":/);
    expect(await r.exited).toBe(0);
    expect(r.out.text).toMatch(/No RRM policy member found for plmn=00101 sst=9/);
    ws.terminate();
  }, 20_000);
});
