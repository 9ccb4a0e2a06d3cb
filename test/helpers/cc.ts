// Stand-in C libraries for hardware this machine cannot have (a USRP, an NVIDIA GPU): small
// shared objects with the vendor's C ABI, compiled at test time, so the real bindings in
// native/ are exercised end to end. Needs a C compiler (Debian's gcc, present on CI).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasCc(): boolean {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A scratch folder for built libraries; remove() deletes it. */
export function standinDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Compile C source into <dir>/<name> as a shared object, with -D defines. */
export function buildSharedLibrary(dir: string, name: string, source: string, defines: string[] = []): string {
  const src = join(dir, `${name}.c`);
  writeFileSync(src, source);
  const out = join(dir, name);
  execFileSync('cc', ['-shared', '-fPIC', '-O1', ...defines.map((d) => `-D${d}`), '-o', out, src]);
  return out;
}
