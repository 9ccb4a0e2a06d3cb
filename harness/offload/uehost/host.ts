// `ranlab ue-host --id <ue> --socket <path>`: one twin or lab UE's host process. It runs the
// UE's side of its path to the edge and, in an engine process of its own (engine.ts), the head
// of the model (ONNX Runtime): a cgroup quota on the engine limits what a phone would compute.
// It serves one controller over one connection to a Unix socket in a private folder
// (protocol.ts; a path, so it also reaches a host started in a lab UE's network namespace) and
// exits when that connection or its lifeline closes.
import { createServer, type Socket } from 'node:net';
import { EdgeClient, type InferStream } from '../../edge/index.js';
import { ConfigError, messageOf } from '../../errors.js';
import { nowNs } from '../../measure/types.js';
import { exitWithParent } from '../../proc/index.js';
import { CALIBRATION_RUNS, PATCHNET } from '../model/index.js';
import { BoundPath } from '../relay.js';
import { HeadEngine } from './engine.js';
import { UeHead } from './head.js';
import { clockBaseNs, readLines, send, type BringUp, type ToHost, type Up } from './protocol.js';

interface Held {
  engine?: HeadEngine;
  clients: EdgeClient[];
  stream?: InferStream;
  path?: BoundPath;
}

export async function runUeHost(id: string, socketPath: string): Promise<void> {
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new ConfigError(`ue-host --id ${JSON.stringify(id)}: letters, digits, . _ - only`, 'CONFIG_INVALID');
  const held: Held = { clients: [] };
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
          if (!held.engine) return send(socket, { op: 'error', rid: m.rid, message: 'profile before bring-up' });
          held.engine.profile(m.reps, m.sustainMs).then(
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
  held.engine?.stop();
  Object.assign(held, { stream: undefined, path: undefined, engine: undefined });
}

async function bringUp(id: string, m: BringUp, held: Held): Promise<{ head: UeHead; up: Up }> {
  if (m.model !== PATCHNET.name) throw new ConfigError(`${id}: model ${m.model} is not one this UE host builds (${PATCHNET.name})`, 'OFFLOAD_MODEL');
  const spec = PATCHNET;
  const n = spec.blocks.length;
  held.engine = await HeadEngine.start(m.seed);
  // This host's own per-block times (the engine joins a cgroup, if any, only after this).
  const calibratedMs = await held.engine.profile(Math.max(m.reps, CALIBRATION_RUNS), 0);
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
  const head = new UeHead(held.engine, n, m.slowdown, held.stream, clock, calibratedMs);
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
      enginePid: held.engine.pid,
    },
  };
}
