// `ranlab ue-host --id <ue> --socket <path>`: one twin or lab UE's host process. It runs the head of the model
// (ONNX Runtime) and the UE's side of its path to the edge, so a CPU limit on this process
// (a cgroup quota) limits exactly what a phone would compute. It serves one controller over
// one connection to a Unix socket in a private folder (protocol.ts; a path, so it also
// reaches a host started in a lab UE's network namespace) and exits when that connection or
// its lifeline closes.
import { createServer, type Socket } from 'node:net';
import { EdgeClient, type InferStream } from '../../edge/index.js';
import { ConfigError, messageOf } from '../../errors.js';
import { nowNs } from '../../measure/types.js';
import { exitWithParent } from '../../proc/index.js';
import { BlockRunner, PATCHNET, sampleInput } from '../model/index.js';
import { BoundPath } from '../relay.js';
import { UeHead } from './head.js';
import { clockBaseNs, readLines, send, type BringUp, type ToHost, type Up } from './protocol.js';

interface Held {
  runner?: BlockRunner;
  seed: number;
  clients: EdgeClient[];
  stream?: InferStream;
  path?: BoundPath;
}

export async function runUeHost(id: string, socketPath: string): Promise<void> {
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new ConfigError(`ue-host --id ${JSON.stringify(id)}: letters, digits, . _ - only`, 'CONFIG_INVALID');
  const held: Held = { clients: [], seed: 0 };
  let head: UeHead | null = null;
  const cleanup = () => release(held);
  const stop = () => void cleanup().finally(() => process.exit(0));
  const server = createServer((socket: Socket) => {
    // One controller: nobody else on this machine gets to drive this UE.
    server.close();
    socket.setNoDelay(true);
    socket.on('close', stop).on('error', stop);
    readLines<ToHost>(
      socket,
      (m) => {
        if (m.op === 'bringUp')
          // Again (the controller changed how the head is limited): start over.
          void release(held).then(() => bringUp(id, m, held)).then(
            (r) => {
              head = r.head;
              send(socket, r.up);
            },
            (err: unknown) => send(socket, { op: 'error', rid: m.rid, message: messageOf(err), code: (err as { code?: string }).code }),
          );
        else if (m.op === 'profile') {
          if (!held.runner) return send(socket, { op: 'error', rid: m.rid, message: 'profile before bring-up' });
          sustainedProfile(held.runner, sampleInput(PATCHNET, held.seed), m.reps, m.sustainMs).then(
            (blockMs) => send(socket, { op: 'profiled', rid: m.rid, blockMs }),
            (err: unknown) => send(socket, { op: 'error', rid: m.rid, message: messageOf(err) }),
          );
        } else if (m.op === 'request') {
          if (!head) return send(socket, { op: 'error', rid: m.rid, message: 'request before bring-up' });
          head.request(m.index, Number(BigInt(m.scheduledNs)) / 1e6, m.split).then(
            (sample) => send(socket, { op: 'sample', rid: m.rid, sample }),
            (err: unknown) => send(socket, { op: 'error', rid: m.rid, message: messageOf(err), code: (err as { code?: string }).code }),
          );
        }
      },
      (line) => process.stderr.write(`ue host ${id}: unreadable message ${JSON.stringify(line.slice(0, 80))}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  process.stdout.write(`ue host ${id} listening on ${socketPath}\n`);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  exitWithParent(cleanup);
}

async function release(held: Held): Promise<void> {
  held.stream?.end();
  held.clients.forEach((c) => c.close());
  held.clients = [];
  await held.path?.close();
  await held.runner?.release();
  Object.assign(held, { stream: undefined, path: undefined, runner: undefined });
}

async function bringUp(id: string, m: BringUp, held: Held): Promise<{ head: UeHead; up: Up }> {
  if (m.model !== PATCHNET.name) throw new ConfigError(`${id}: model ${m.model} is not one this UE host builds (${PATCHNET.name})`, 'OFFLOAD_MODEL');
  const spec = PATCHNET;
  const n = spec.blocks.length;
  held.runner = await BlockRunner.load(spec, m.seed, 0, n);
  held.seed = m.seed;
  const input = sampleInput(spec, m.seed);
  // Measured here, inside whatever CPU limit this process is under.
  const calibratedMs = await held.runner.profile(0, n, m.reps, input);
  let clockAddress = m.edge.address;
  let pathAddress = m.edge.pathAddress;
  if (m.bind) {
    const bound = await BoundPath.start(id, m.edge.address, m.bind);
    held.path = bound.path;
    clockAddress = pathAddress = bound.address;
  }
  const direct = new EdgeClient(m.edge.id, clockAddress, m.edge.tls);
  held.clients.push(direct);
  // edge - host = (edge - controller) - (host - controller); the last is exact on one machine.
  const shiftNs = m.clock ? Number(clockBaseNs(nowNs) - BigInt(m.clock.controllerBaseNs)) : 0;
  const clock = m.clock ? { offsetNs: m.clock.offsetNs - shiftNs, errorNs: m.clock.errorNs, rttNs: 2 * m.clock.errorNs } : await direct.syncClock(8);
  const client = pathAddress === clockAddress ? direct : new EdgeClient(m.edge.id, pathAddress, m.edge.tls);
  if (client !== direct) held.clients.push(client);
  held.stream = client.openStream();
  const head = new UeHead(held.runner, m.slowdown, held.stream, clock, input, calibratedMs);
  return {
    head,
    up: {
      op: 'up',
      rid: m.rid,
      blockMs: calibratedMs.map((ms) => ms * m.slowdown),
      calibratedMs,
      clock: { offsetNs: clock.offsetNs, errorNs: clock.errorNs },
      baseNs: String(clockBaseNs(nowNs)),
      localAddress: m.bind ?? null,
    },
  };
}

/**
 * Under a CFS quota the CPU comes in bursts (at least 1 ms every period), so in one run of the
 * head a short block may run at full speed and the next wait out the period. Each block is
 * therefore run alone, back to back, over many periods: its mean time is what the quota gives
 * a UE under load, block by block.
 */
async function sustainedProfile(runner: BlockRunner, input: Float32Array, reps: number, minMs: number): Promise<number[]> {
  const n = runner.spec.blocks.length;
  const inputs = [input];
  for (let i = 0; i < n - 1; i++) inputs.push((await runner.run(i, i + 1, inputs[i]!)).output);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let total = 0;
    let runs = 0;
    const t0 = performance.now();
    while (runs < reps || performance.now() - t0 < minMs) {
      total += (await runner.run(i, i + 1, inputs[i]!)).blockMs[0]!;
      runs++;
    }
    out.push(total / runs);
  }
  return out;
}
