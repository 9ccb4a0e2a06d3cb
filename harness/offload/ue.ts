// The UE side of split inference, as the controller sees it: each UE is a process of its own
// (`ranlab ue-host`, uehost/host.ts) that runs the head of the model for real (in an engine
// process it starts, uehost/engine.ts) and sends the intermediate tensor over the UE's path to
// the edge. A phone is slower than this host: on the twin the engine gets a real CPU limit, a
// cgroup CPU quota of about 1/slowdown cores, where this host allows one; otherwise the stated
// slowdown factor holds the head (uehost/head.ts). On a lab rig it is the real UE host,
// unlimited, its sockets bound to the modem's data session (or run in the modem's network
// namespace). What limited it, and its per-block times measured in it, go in the report.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsFiles } from '../certs/index.js';
import type { ClockOffset } from '../edge/index.js';
import { ComponentError } from '../errors.js';
import { childLog } from '../log.js';
import { nowNs } from '../measure/types.js';
import { cliEntry } from '../paths.js';
import type { Child, Supervisor } from '../proc/index.js';
import { createCpuQuota, type CpuQuota } from './uehost/cgroup.js';
import { clockBaseNs, readLines, send, type FromHost, type ToHost, type Up } from './uehost/protocol.js';

const log = childLog('ue-host');

export interface UeCpuLimit {
  kind: 'cgroup' | 'slowdown' | 'none';
  factor: number;
  note: string;
}

export interface RequestSample {
  index: number;
  split: number;
  scheduledMs: number;
  /** Waiting for the UE's engine (earlier requests' heads). */
  headQueueMs: number;
  headMs: number;
  uplinkMs: number;
  edgeQueueMs: number;
  edgeComputeMs: number;
  downlinkMs: number;
  e2eMs: number;
  /** Error bound of the cross-host stages (uplink, downlink): the clock offset's. */
  clockErrMs: number;
  bytesUp: number;
  error?: string;
}

export interface UeHostOptions {
  id: string;
  trialId: string;
  /** This trial's folder for UE hosts: each host's cgroup path is written there. */
  dir: string;
  model: string;
  seed: number;
  edge: { id: string; address: string; pathAddress: string; tls: TlsFiles };
  /** Lab: the data session's address. */
  bind?: string;
  /** Lab: the network namespace holding the modem's data interface; the host runs in it. */
  netns?: string;
  /** Twin: how much slower than this host the UE computes (a quota of 1/slowdown cores); lab: null. */
  slowdown: number | null;
  /** The edge's clock against this process's (its error bound included); absent: the UE host measures its own. */
  clock?: ClockOffset;
  /** Under a quota, also hold each head to the stated factor (default true; tests of the quota alone turn it off). */
  holdUnderQuota?: boolean;
  /** Correct the quota once towards the slowdown target (default true). */
  correctQuota?: boolean;
  /** Tests: where to look for cgroup hierarchies (default this host's). */
  quota?: (name: string, cores: number) => CpuQuota | { why: string };
  reps?: number;
}

type Pending = { resolve: (m: FromHost) => void; reject: (e: Error) => void };

export class OffloadUe {
  private rid = 0;
  private readonly pending = new Map<number, Pending>();
  private broken: Error | null = null;
  private up: Up | null = null;
  /** Host clock minus this process's clock (both on this machine's monotonic clock), ns. */
  private shiftNs = 0n;

  private constructor(
    readonly id: string,
    private readonly child: Child,
    private readonly socket: Socket,
    private quota: CpuQuota | null,
    public limit: UeCpuLimit,
  ) {
    readLines<FromHost>(socket, (m) => this.settle(m), (line) => log.warn({ ue: id, line: line.slice(0, 80) }, 'unreadable message from the UE host'));
    const lost = (why: string) => this.breakAll(new ComponentError(id, `UE host ${why}`, 'UE_HOST_LOST'));
    socket.on('close', () => lost(`connection closed (${child.exitDetail || 'process still running'})`)).on('error', () => undefined);
    void child.exited.then(() => lost(child.exitDetail));
  }

  /** Starts the UE's host process (in its own cgroup where there is one) and brings it up. */
  static async start(supervisor: Supervisor, o: UeHostOptions): Promise<OffloadUe> {
    mkdirSync(o.dir, { recursive: true });
    let quota: CpuQuota | null = null;
    let limit: UeCpuLimit = { kind: 'none', factor: 1, note: 'the real UE host, no CPU limit' };
    if (o.slowdown !== null) {
      const made = (o.quota ?? createCpuQuota)(`ranlab-${o.trialId}-${o.id}`.replace(/[^A-Za-z0-9_.-]/g, '_'), 1 / o.slowdown);
      if ('why' in made) limit = slowdownLimit(o.slowdown, made.why);
      else {
        quota = made;
        writeFileSync(join(o.dir, `${o.id}.cgroup`), `${made.path}\n`);
        limit = { kind: 'cgroup', factor: o.slowdown, note: `cgroup ${made.version} CPU quota for a UE ${o.slowdown}x slower than this host` };
      }
    }
    let child: Child | null = null;
    // A private folder (0700) for the control socket: only this user reaches the UE host.
    const sockDir = mkdtempSync(join(tmpdir(), 'ranlab-ue-'));
    try {
      const args = [cliEntry, 'ue-host', '--id', o.id, '--socket', join(sockDir, 's')];
      // `ip netns exec` enters the namespace and execs node: the same process, its pid the host's.
      const [command, argv] = o.netns ? ['ip', ['netns', 'exec', o.netns, process.execPath, ...args]] : [process.execPath, args];
      child = await supervisor.start({ name: `ue-host-${o.id}`, command, args: argv, readyLine: /listening on (.+)$/, readyTimeoutMs: 30_000, lifeline: true });
      const socket = connect(child.ready![1]!);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.setNoDelay(true);
      const ue = new OffloadUe(o.id, child, socket, quota, limit);
      ue.sockDir = sockDir;
      // Brought up (and calibrated: this host's own per-block times) before it joins its cgroup.
      // Under a quota the head is also held to the stated factor: CFS hands out CPU in bursts of
      // at least 1 ms, longer than this model's blocks, so an idle UE would otherwise run a
      // head at this host's speed. The quota limits throughput under load; the hold, each head.
      const hold = o.slowdown === null || (quota && o.holdUnderQuota === false) ? 1 : o.slowdown;
      const up = await ue.call({ op: 'bringUp', rid: 0, model: o.model, seed: o.seed, edge: o.edge, bind: o.bind, slowdown: hold, reps: o.reps ?? 7, clock: o.clock && { offsetNs: o.clock.offsetNs, errorNs: o.clock.errorNs, controllerBaseNs: String(clockBaseNs(nowNs)) } }, 120_000);
      if (up.op !== 'up') throw new ComponentError(o.id, 'UE host answered bring-up with something else', 'UE_HOST_PROTOCOL');
      ue.up = up;
      ue.blockMs = up.calibratedMs.map((ms) => ms * (o.slowdown ?? 1));
      ue.shiftNs = BigInt(up.baseNs) - clockBaseNs(nowNs);
      if (quota) {
        try {
          quota.add(up.enginePid);
        } catch (err) {
          limit = slowdownLimit(o.slowdown!, `cgroup ${quota.version} at ${quota.path}: the process could not join it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
          await quota.remove().catch(() => undefined);
          quota = null;
          ue.quota = null;
          ue.limit = limit;
          if (hold === 1) await ue.call({ op: 'bringUp', rid: 0, model: o.model, seed: o.seed, edge: o.edge, bind: o.bind, slowdown: limit.factor, reps: o.reps ?? 7, clock: o.clock && { offsetNs: o.clock.offsetNs, errorNs: o.clock.errorNs, controllerBaseNs: String(clockBaseNs(nowNs)) } }, 120_000);
        }
      }
      if (quota) {
        const measured = await ue.underQuota(quota, o.correctQuota === false ? null : o.slowdown!, up.calibratedMs, o.reps ?? 7);
        // Held, a head takes the hold (its floor, and what the quota also aims at): the planner
        // uses that, from this host's fastest runs, so load on this host cannot move it. The
        // quota's sustained time is what the report shows; on a busy host it adds the host's own
        // contention (a phone has none) and would make the planner's choice follow that noise.
        ue.blockMs = hold > 1 ? up.calibratedMs.map((ms) => ms * hold) : measured;
        const q = quota;
        ue.limit = {
          ...limit,
          note: `cgroup ${q.version} CPU quota ${+q.cores.toFixed(4)} cores (${q.quotaUs} of every ${q.periodUs} µs) for a UE ${o.slowdown}x slower than this host: measured ${(sum(measured) / sum(up.calibratedMs)).toFixed(1)}x its ${up.calibratedMs.map((m) => m.toFixed(2)).join('/')} ms${hold > 1 ? `; each head also held to at least ${hold}x this host's time (CFS gives CPU in bursts of 1 ms or more, longer than these blocks)` : ''}`,
        };
      }
      return ue;
    } catch (err) {
      await child?.stop().catch(() => undefined);
      rmSync(sockDir, { recursive: true, force: true });
      await quota?.remove().catch((e: unknown) => log.warn({ ue: o.id, err: String(e) }, 'cgroup not removed'));
      throw err;
    }
  }

  /** Per-block ms, as this UE runs them (measured in its host at bring-up). */
  blockMs: number[] = [];
  private sockDir = '';

  /**
   * Per-block times under the quota, measured in the host. CFS loses some of every period to
   * throttling, so 1/target cores slows a little more than target: one correction of the
   * quota towards the target's total, then measured again.
   */
  private async underQuota(quota: CpuQuota, target: number | null, calibratedMs: number[], reps: number): Promise<number[]> {
    const profile = async () => {
      const m = await this.call({ op: 'profile', rid: 0, reps, sustainMs: (20 * quota.periodUs) / 1000 }, 120_000);
      if (m.op !== 'profiled') throw new ComponentError(this.id, 'UE host answered a profile with something else', 'UE_HOST_PROTOCOL');
      return m.blockMs;
    };
    let ms = await profile();
    const achieved = sum(ms) / sum(calibratedMs);
    if (target !== null && Math.abs(achieved / target - 1) > 0.15) {
      quota.setCores(Math.max(0.001, quota.cores * (achieved / target)));
      ms = await profile();
    }
    return ms;
  }

  get clock(): ClockOffset {
    const c = this.up!.clock;
    return { offsetNs: c.offsetNs, errorNs: c.errorNs, rttNs: 2 * c.errorNs };
  }

  /** The address the UE's edge connections leave from (lab), else null. */
  get localAddress(): string | null {
    return this.up!.localAddress;
  }

  /** The host process's pid. */
  get pid(): number {
    return this.child.pid;
  }

  /** The UE's inference engine's pid: the process in its cgroup, if any. */
  get enginePid(): number {
    return this.up!.enginePid;
  }

  /** Runs blocks 1..split in the UE's host, the rest at the edge; every stage timed. */
  async request(index: number, scheduledMs: number, split: number): Promise<RequestSample> {
    const scheduledNs = BigInt(Math.round(scheduledMs * 1e6)) + this.shiftNs;
    const m = await this.call({ op: 'request', rid: 0, index, split, scheduledNs: String(scheduledNs) });
    if (m.op !== 'sample') throw new ComponentError(this.id, 'UE host answered a request with something else', 'UE_HOST_PROTOCOL');
    return { ...m.sample, scheduledMs };
  }

  /** Stops the host process, then removes its cgroup (also after a failure). */
  async close(): Promise<void> {
    this.socket.end();
    await this.child.stop();
    rmSync(this.sockDir, { recursive: true, force: true });
    await this.quota?.remove();
  }

  private call(m: ToHost, timeoutMs = 0): Promise<FromHost> {
    if (this.broken) return Promise.reject(this.broken);
    const rid = ++this.rid;
    return new Promise<FromHost>((resolve, reject) => {
      const timer = timeoutMs ? setTimeout(() => this.settle({ op: 'error', rid, message: `no answer in ${timeoutMs / 1000} s`, code: 'UE_HOST_TIMEOUT' }), timeoutMs) : null;
      this.pending.set(rid, {
        resolve: (r) => (timer && clearTimeout(timer), resolve(r)),
        reject: (e) => (timer && clearTimeout(timer), reject(e)),
      });
      send(this.socket, { ...m, rid });
    });
  }

  private settle(m: FromHost): void {
    const p = this.pending.get(m.rid);
    if (!p) return;
    this.pending.delete(m.rid);
    if (m.op === 'error') {
      // Errors the host raised about its own UE already name it.
      const message = m.message.startsWith(`${this.id}: `) ? m.message.slice(this.id.length + 2) : m.message;
      p.reject(new ComponentError(this.id, message, m.code ?? 'UE_HOST_FAILED'));
    } else p.resolve(m);
  }

  private breakAll(err: Error): void {
    this.broken ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function slowdownLimit(factor: number, why: string): UeCpuLimit {
  return { kind: 'slowdown', factor, note: `stated slowdown factor ${factor}: the head takes ${factor} x this host's calibrated time (no cgroup CPU quota: ${why})` };
}

/** The trial's UE compute in words (the report's line): what limited each UE, and its measured per-block times. */
export function describeUeHosts(ues: OffloadUe[]): UeCpuLimit {
  const first = ues[0]!.limit;
  const perUe = ues.map((u) => `${u.id} ${u.blockMs.map((m) => m.toFixed(2)).join('/')} ms`);
  const same = ues.every((u) => u.limit.note === first.note);
  const how = same ? first.note : ues.map((u) => `${u.id}: ${u.limit.note}`).join('; ');
  return { kind: first.kind, factor: first.factor, note: `${how}; per-block times measured in each UE's host: ${perUe.join('; ')}` };
}
