// Where points wait when their InfluxDB cannot take them: one spool per destination (server
// URL and database) under the project's state folder, never inside one trial's results, so
// the next run that writes to the same destination, or `ranlab spool replay`, delivers them.
//
//   <stateDir>/spool/<destination key>/destination.json   what the destination is (no credentials)
//   <stateDir>/spool/<destination key>/<owner>/            one sink's spool (its own lock)
//
// Each sink owns a folder of its own (two trials writing to one server at once never share a
// spool). On opening, a sink adopts the folders of sinks that are gone (their lock names a
// dead process, or they have none): an atomic rename claims each, so two adopters never take
// the same one, and its segments move into the adopter's folder, oldest first.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childLog } from '../log.js';
import { pidAlive } from '../proc/index.js';
import { parseInfluxUrl } from './client.js';
import { REJECTED_FILE } from './spool.js';

const log = childLog('influx');
const SEGMENT_RE = /^(\d{12})\.lp$/;

/** An InfluxDB destination: a server's URL, or the embedded influxd of a state folder. */
export interface Destination {
  /** The URL as shown (credentials removed); for the embedded store, empty. */
  url: string;
  database: string;
  /** The embedded influxd (its URL changes at every start; the data folder is what stays). */
  embedded: boolean;
}

export function destinationKey(d: Destination): string {
  const what = d.embedded ? 'embedded' : parseInfluxUrl(d.url).shown;
  const readable = (d.embedded ? 'embedded' : new URL(what).host).replace(/[^A-Za-z0-9.-]+/g, '_');
  const hash = createHash('sha256').update(`${what}\n${d.database}`).digest('hex').slice(0, 10);
  return `${readable}-${d.database}-${hash}`;
}

export function spoolRoot(stateDir: string): string {
  return join(stateDir, 'spool');
}

/**
 * Make (and return) `owner`'s spool folder for this destination, having first moved into it
 * every spool that a finished or crashed sink left for the same destination.
 */
export function destinationSpool(stateDir: string, dest: Destination, owner: string): { dir: string; adopted: number } {
  const destDir = join(spoolRoot(stateDir), destinationKey(dest));
  mkdirSync(destDir, { recursive: true });
  const shown = dest.embedded ? '' : parseInfluxUrl(dest.url).shown;
  writeFileSync(join(destDir, 'destination.json'), JSON.stringify({ url: shown, database: dest.database, embedded: dest.embedded }) + '\n');
  const own = join(destDir, owner.replace(/[^A-Za-z0-9_.-]/g, '_'));
  mkdirSync(own, { recursive: true });
  let adopted = 0;
  let next = nextSegmentNumber(own);
  for (const entry of readdirSync(destDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || join(destDir, entry.name) === own) continue;
    const from = join(destDir, entry.name);
    // A claim by an adopter that died half way is an orphan like any other.
    const claim = /^\.adopt-(\d+)-/.exec(entry.name);
    if (claim ? Number(claim[1]) === process.pid || pidAlive(Number(claim[1])) : ownerAlive(from)) continue;
    const claimed = join(destDir, `.adopt-${process.pid}-${entry.name.replace(/^\.adopt-\d+-/, '')}`);
    try {
      renameSync(from, claimed);
    } catch {
      continue; // another sink claimed it first
    }
    for (const name of readdirSync(claimed).filter((n) => SEGMENT_RE.test(n)).sort()) {
      renameSync(join(claimed, name), join(own, `${String(next++).padStart(12, '0')}.lp`));
      adopted++;
    }
    const rejected = join(claimed, REJECTED_FILE);
    if (existsSync(rejected)) appendFileSync(join(own, REJECTED_FILE), readFileSync(rejected));
    rmSync(claimed, { recursive: true, force: true });
  }
  if (adopted > 0) log.info({ destination: dest.embedded ? 'embedded' : shown, segments: adopted }, 'adopted spool segments left by earlier runs');
  return { dir: own, adopted };
}

/** A sink's folder that holds nothing (all delivered, nothing refused) is removed. */
export function removeIfEmpty(dir: string): void {
  try {
    const left = readdirSync(dir).filter((n) => n !== '.lock');
    if (left.length === 0) rmSync(dir, { recursive: true, force: true });
  } catch {
    /* already gone */
  }
}

/** Every destination with a spool folder, as recorded. */
export function listDestinations(stateDir: string): (Destination & { dir: string; segments: number })[] {
  const root = spoolRoot(stateDir);
  if (!existsSync(root)) return [];
  const out: (Destination & { dir: string; segments: number })[] = [];
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const dir = join(root, e.name);
    try {
      const d = JSON.parse(readFileSync(join(dir, 'destination.json'), 'utf8')) as Destination;
      let segments = 0;
      for (const sub of readdirSync(dir, { withFileTypes: true }))
        if (sub.isDirectory()) segments += readdirSync(join(dir, sub.name)).filter((n) => SEGMENT_RE.test(n)).length;
      out.push({ url: d.url, database: d.database, embedded: d.embedded === true, dir, segments });
    } catch {
      log.warn({ dir }, 'spool folder without a readable destination.json; skipped');
    }
  }
  return out;
}

function ownerAlive(dir: string): boolean {
  const lock = join(dir, '.lock');
  if (!existsSync(lock)) return false;
  const pid = Number(readFileSync(lock, 'utf8').trim());
  // Our own pid: a sink still open in this process.
  return Number.isInteger(pid) && pid > 0 && (pid === process.pid || pidAlive(pid));
}

function nextSegmentNumber(dir: string): number {
  let max = 0;
  for (const n of readdirSync(dir)) {
    const m = SEGMENT_RE.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}
