// What the gNB binary says it is, before the agent trusts its formats. Facts read from
// srsran/srsRAN_Project (tags release_25_04 and release_25_10, and HEAD 4bf15439):
// - apps/gnb/gnb.cpp registers CLI11's `-v,--version` flag with the text
//   `srsRAN 5G gNB version <version> (<build hash>)`; CLI11 (external/CLI, 2.4.2) prints that
//   text and a newline on stdout and exits 0, whatever else is on the command line.
// - Before parsing its arguments main() prints the banner `--== srsRAN gNB (commit <hash>) ==--`
//   between blank lines (apps/services/application_message_banners.h), so `gnb -v` prints the
//   banner first, then the version line.
// - <version> is MAJOR.MINOR.PATCH from cmake/modules/version.cmake, the minor as written
//   there: `25.04.0`, `25.10.0`, `24.10.1`. <build hash> is `git log -1 --format=%h` at build
//   time (empty for a build outside git).
// Real output seen in public notes: `srsRAN 5G gNB version 24.10.0 (9d5dd742a)` after the
// banner `--== srsRAN gNB (commit 9d5dd742a) ==--` (macclab-stevens/Tutorials, README.md), and
// `srsRAN 5G gNB version 25.10.0 (fa995e6)` (a lab's build notes). test/srsran-version.test.ts
// keeps both as fixtures.
import { execFile } from 'node:child_process';

export interface GnbVersion {
  /** As printed: `25.10.0`. */
  version: string;
  /** MAJOR.MINOR, the release a rig declares: `25.10`. */
  release: string;
  /** The build hash in parentheses, when printed. */
  build?: string;
  /** The whole version line. */
  line: string;
}

export class GnbVersionError extends Error {}

const VERSION_LINE = /srsRAN 5G gNB version (\d+)\.(\d+)\.(\d+)(?: \(([^)\n]*)\))?/;

/** The version line in a gnb's `--version` output, or null when it has none. */
export function parseGnbVersion(text: string): GnbVersion | null {
  const m = VERSION_LINE.exec(text);
  if (!m) return null;
  const [line, major, minor, patch, build] = m;
  return { version: `${major}.${minor}.${patch}`, release: `${major}.${minor!.padStart(2, '0')}`, line: line!, ...(build ? { build } : {}) };
}

/** "25.10.0 (4bf1543936)": the version as a report shows it. */
export function describeGnbVersion(v: GnbVersion): string {
  return v.build ? `${v.version} (${v.build})` : v.version;
}

/**
 * Whether a version as printed ("25.10.0", or "25.10.0 (hash)" as reported) is the release a
 * rig declares: "25.10" names any 25.10.x, "25.10.1" only that one.
 */
export function sameRelease(found: string, declared: string): boolean {
  const f = /^(\d+)\.(\d+)\.(\d+)/.exec(found.trim());
  const d = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(declared.trim());
  if (!f || !d) return false;
  if (Number(f[1]) !== Number(d[1]) || Number(f[2]) !== Number(d[2])) return false;
  return d[3] === undefined || Number(d[3]) === Number(f[3]);
}

/**
 * Runs `<binary> <args> --version` and reads its version line. A binary that is missing, not
 * executable, silent or slow, or that prints no version line, is a GnbVersionError naming the path.
 */
export function readGnbVersion(binary: string, args: string[], timeoutMs = 5000): Promise<GnbVersion> {
  const shown = [binary, ...args].join(' ');
  return new Promise((resolve, reject) => {
    execFile(binary, [...args, '--version'], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 256 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; signal?: string }) | null;
      if (e?.code === 'ENOENT') return reject(new GnbVersionError(`gNB binary ${binary}: no such file`));
      if (e?.code === 'EACCES') return reject(new GnbVersionError(`gNB binary ${binary}: not executable (permission denied)`));
      if (e?.killed) return reject(new GnbVersionError(`gNB binary ${shown}: no answer to --version within ${timeoutMs} ms`));
      const v = parseGnbVersion(stdout) ?? parseGnbVersion(stderr);
      if (v) return resolve(v);
      const said = `${stdout}${stderr}`.trim().replace(/\s+/g, ' ').slice(0, 160);
      const exit = e ? ` (exit ${typeof e.code === 'number' ? e.code : (e.signal ?? e.message)})` : '';
      reject(new GnbVersionError(`gNB binary ${shown}: --version printed no "srsRAN 5G gNB version" line${exit}${said ? `: "${said}"` : ''}`));
    });
  });
}

/** The binary's own --version against the release an agent speaks: what it is, or why it may not be started. */
export async function checkGnbBinary(g: { binary: string; args: string[] }, release: string): Promise<{ version: GnbVersion | null; problem: string }> {
  let v: GnbVersion;
  try {
    v = await readGnbVersion(g.binary, g.args, 5000);
  } catch (err) {
    return { version: null, problem: err instanceof Error ? err.message : String(err) };
  }
  if (sameRelease(v.version, release)) return { version: v, problem: '' };
  return { version: v, problem: `gNB binary ${g.binary} reports version ${describeGnbVersion(v)}, but this agent is configured for srsRAN Project ${release}` };
}
