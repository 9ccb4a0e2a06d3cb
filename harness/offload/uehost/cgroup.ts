// A real CPU limit for one UE-host process: a cgroup of its own with a CFS quota, cgroup v2
// (cpu.max) where this host's unified hierarchy has the cpu controller, else cgroup v1
// (cpu.cfs_period_us, cpu.cfs_quota_us). The group is named per trial and UE under the
// controller's own group; where neither hierarchy is writable, the caller falls back to a
// stated slowdown factor, with `why` saying what was missing.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuQuota {
  version: 'v1' | 'v2';
  /** The group's directory (written to the trial's results folder so it can always be found). */
  path: string;
  cores: number;
  periodUs: number;
  quotaUs: number;
  /** Change the quota (cores, periodUs and quotaUs follow). */
  setCores(cores: number): void;
  /** Move a process (all its threads) into the group. */
  add(pid: number): void;
  /** Remove the group once its processes are gone (retries while they exit). */
  remove(timeoutMs?: number): Promise<void>;
}

/** The kernel takes quotas from 1 ms; a short period keeps a throttled block's time smooth. */
export function quotaFor(cores: number): { periodUs: number; quotaUs: number } {
  let periodUs = 10_000;
  let quotaUs = Math.round(cores * periodUs);
  if (quotaUs < 1000) [quotaUs, periodUs] = [1000, Math.round(1000 / cores)];
  if (periodUs > 1_000_000) throw new RangeError(`a CPU quota of ${cores} cores is below what CFS can hold (0.001)`);
  return { periodUs, quotaUs };
}

interface Hierarchy {
  version: 'v1' | 'v2';
  /** Where a new group goes: the mount plus this process's own group in it. */
  parent: string;
}

/** The cpu hierarchies of this host, from /proc/self/mountinfo and /proc/self/cgroup. */
export function cpuHierarchies(procRoot = '/proc'): Hierarchy[] {
  const own = new Map<string, string>();
  for (const l of readFileSync(join(procRoot, 'self/cgroup'), 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(l);
    if (m) for (const c of m[1] === '' ? ['<v2>'] : m[1]!.split(',')) own.set(c, m[2]!);
  }
  const out: Hierarchy[] = [];
  for (const l of readFileSync(join(procRoot, 'self/mountinfo'), 'utf8').split('\n')) {
    // "<id> <parent> <dev> <root> <mount point> <opts> ... - <fstype> <source> <super opts>"
    const [pre, post] = l.split(' - ');
    if (!pre || !post) continue;
    const mnt = pre.split(' ')[4]!;
    const [fstype, , superOpts = ''] = post.split(' ');
    if (fstype === 'cgroup2') out.push({ version: 'v2', parent: join(mnt, own.get('<v2>') ?? '/') });
    else if (fstype === 'cgroup' && superOpts.split(',').includes('cpu')) out.push({ version: 'v1', parent: join(mnt, own.get('cpu') ?? '/') });
  }
  // v2 first: on a hybrid host it usually lacks the cpu controller, and v1 is tried next.
  return out.sort((a, b) => (a.version === b.version ? 0 : a.version === 'v2' ? -1 : 1));
}

const errText = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** A group `name` with `cores` of CPU, or why none could be made on this host. */
export function createCpuQuota(name: string, cores: number, hierarchies: Hierarchy[] = safeHierarchies()): CpuQuota | { why: string } {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new RangeError(`cgroup name ${JSON.stringify(name)}: letters, digits, . _ - only`);
  const { periodUs, quotaUs } = quotaFor(cores);
  const whys: string[] = [];
  for (const h of hierarchies) {
    const path = join(h.parent, name);
    try {
      if (h.version === 'v2') enableCpuV2(h.parent);
      mkdirSync(path);
    } catch (err) {
      whys.push(`cgroup ${h.version} at ${h.parent}: ${errText(err)}`);
      continue;
    }
    try {
      writeQuota(h.version, path, periodUs, quotaUs);
    } catch (err) {
      whys.push(`cgroup ${h.version} at ${path}: quota not set (${errText(err)})`);
      rmdirQuietly(path);
      continue;
    }
    const q: CpuQuota = {
      version: h.version,
      path,
      cores,
      periodUs,
      quotaUs,
      setCores(c) {
        const next = quotaFor(c);
        writeQuota(h.version, path, next.periodUs, next.quotaUs);
        Object.assign(q, { cores: c, ...next });
      },
      add: (pid) => writeFileSync(join(path, 'cgroup.procs'), String(pid)),
      remove: (timeoutMs = 3000) => removeGroup(path, timeoutMs),
    };
    return q;
  }
  return { why: whys.length ? whys.join('; ') : 'no cgroup cpu hierarchy is mounted' };
}

function writeQuota(version: 'v1' | 'v2', path: string, periodUs: number, quotaUs: number): void {
  if (version === 'v2') return writeFileSync(join(path, 'cpu.max'), `${quotaUs} ${periodUs}`);
  // v1 checks quota against period as each is written: lower the quota first, raise it last.
  writeFileSync(join(path, 'cpu.cfs_quota_us'), '-1');
  writeFileSync(join(path, 'cpu.cfs_period_us'), String(periodUs));
  writeFileSync(join(path, 'cpu.cfs_quota_us'), String(quotaUs));
}

function safeHierarchies(): Hierarchy[] {
  try {
    return cpuHierarchies();
  } catch {
    return [];
  }
}

/** cgroup v2: the cpu controller must be offered by the parent and enabled for its children. */
function enableCpuV2(parent: string): void {
  const offered = readFileSync(join(parent, 'cgroup.controllers'), 'utf8').split(/\s+/);
  if (!offered.includes('cpu')) throw Object.assign(new Error('no cpu controller in cgroup.controllers'), { code: 'no cpu controller' });
  const enabled = readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
  if (!enabled.includes('cpu')) writeFileSync(join(parent, 'cgroup.subtree_control'), '+cpu');
}

function rmdirQuietly(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

async function removeGroup(path: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  // EBUSY while an exiting process is still counted in it.
  while (!rmdirQuietly(path)) {
    if (Date.now() > end) throw new Error(`cgroup ${path} still holds processes after ${timeoutMs} ms: not removed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
