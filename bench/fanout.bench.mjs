// Control fan-out: grants decided -> all N cells acknowledged. A: the ranlab driver
// (createBaseStation) to N twin agents, each its own process, one shared air. B: a bare grpc-js
// client to N trivial servers (bench/lib/bare-e2-server.mjs) on the same proto with the same
// TLS credentials. Each sample is `repsFor(N)` fan-outs back to back (about 100 ms of them, so
// one scheduling hiccup of a shared machine is a small part of it), in ms per fan-out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { controllerCredentials, makeTrialCerts, readTlsFiles } from '../dist/harness/certs/index.js';
import { cliEntry } from '../dist/harness/paths.js';
import { createBaseStation } from '../dist/harness/ran/index.js';
import { loadE2Proto, RC_RAN_FUNCTION } from '../dist/harness/wire/index.js';
import { figure, interleave } from './lib/interleave.mjs';
import { startChild, stopChildren } from './lib/procs.mjs';

const SIZES = [2, 4, 16];
const repsFor = (n) => Math.max(20, Math.round(240 / n));
const WARMUP_CONTROLS = 500;

export default async function fanout({ rounds = 51, log }) {
  const tmp = mkdtempSync(join(tmpdir(), 'ranlab-bench-fanout-'));
  const ids = Array.from({ length: Math.max(...SIZES) }, (_, i) => `gnb-${i}`);
  const certs = await makeTrialCerts(join(tmp, 'certs'), ids);
  const pems = readTlsFiles(certs.controller, 'controller');
  const Client = loadE2Proto().client;
  const drivers = [];
  const bare = [];
  try {
    log(`starting ${ids.length} twin agents and ${ids.length} bare servers`);
    const startOne = async (id, i) => {
        const cfg = {
          nodeId: id,
          operator: `op-${i % 4}`,
          listen: '127.0.0.1:0',
          tls: certs.agents.get(id),
          airDir: join(tmp, 'air'),
          cells: [{ id: `c${i}`, rat: 'NR', band: 'n46', carrierMHz: 5170, bandwidthMHz: 40, scsKHz: 15, pci: 100 + i, txPowerDbm: 30 }],
          ues: [{ id: `ue-${i}`, cellId: `c${i}`, pathLossDb: 95, interferenceLossDb: 100 }],
        };
        const file = join(tmp, `${id}.json`);
        writeFileSync(file, JSON.stringify(cfg));
        const [agent, server] = await Promise.all([
          startChild(process.execPath, [cliEntry, 'twin-gnb', '--config', file], /E2 agent \S+ listening on (\S+:\d+)\n/),
          startChild(process.execPath, [new URL('./lib/bare-e2-server.mjs', import.meta.url).pathname, file], /listening on (\d+)\n/),
        ]);
        const d = createBaseStation(id, agent.match[1], { tls: pems });
        await d.setup();
        drivers[i] = { d, cell: `c${i}` };
        const tls = controllerCredentials(pems, id);
        const c = new Client(`127.0.0.1:${server.match[1]}`, tls.credentials, tls.channelOptions);
        bare[i] = { c, cell: `c${i}` };
    };
    // A few at a time: dozens of node processes starting at once on a small machine time out.
    for (let i = 0; i < ids.length; i += 4) await Promise.all(ids.slice(i, i + 4).map((id, j) => startOne(id, i + j)));
    let k = 0;
    const quota = () => ({ startPrb: 0, nPrb: 20 + (k++ % 100) });
    const ranlab = (n) => async () => {
      const t0 = performance.now();
      for (let r = 0; r < repsFor(n); r++) await Promise.all(drivers.slice(0, n).map(({ d, cell }) => d.control({ kind: 'prbQuota', cellId: cell, ...quota() })));
      return (performance.now() - t0) / repsFor(n);
    };
    const baseline = (n) => async () => {
      const t0 = performance.now();
      for (let r = 0; r < repsFor(n); r++) {
        await Promise.all(
          bare.slice(0, n).map(
            ({ c, cell }) =>
              new Promise((resolve, reject) =>
                c.Control({ ranFunctionId: RC_RAN_FUNCTION.id, prbQuota: { cellId: cell, ...quota() } }, { deadline: Date.now() + 5000 }, (err, ack) => (err ? reject(err) : resolve(ack))),
              ),
          ),
        );
      }
      return (performance.now() - t0) / repsFor(n);
    };
    // Every agent and server answers a few hundred controls before anything is timed: a process
    // first used at N = 16 would otherwise be timed while its code is still being compiled.
    log(`warming up (${WARMUP_CONTROLS} controls to each process)`);
    for (let w = 0; w < WARMUP_CONTROLS / repsFor(ids.length); w++) {
      await ranlab(ids.length)();
      await baseline(ids.length)();
    }
    const out = [];
    for (const n of SIZES) {
      log(`N = ${n}`);
      out.push(figure(`fanout N=${n}`, 'ms', await interleave(rounds, ranlab(n), baseline(n), { warmup: 2 })));
    }
    return out;
  } finally {
    for (const { d } of drivers.filter(Boolean)) d.close();
    for (const { c } of bare.filter(Boolean)) c.close();
    await stopChildren();
    rmSync(tmp, { recursive: true, force: true });
  }
}
