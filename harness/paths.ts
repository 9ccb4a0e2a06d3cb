// Where things live, whether running from TypeScript sources (vitest) or compiled dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('ranlab package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The ranlab package root (holds package.json, proto/, rigs/, dist/). */
export const packageRoot = findRoot();

/** Process entries, bundled by scripts/bundle.mjs (a few files to load each, not hundreds). */
const bundleDir = join(packageRoot, 'dist', 'bundle');

/** The CLI; child processes (edge agents, UE hosts, preflight's agents) are started through it. */
export const cliEntry = join(bundleDir, 'main.js');

/** The entry the controller starts agents and twin modems through (cli/child.ts: same commands, lighter start). */
export const childEntry = join(bundleDir, 'child.js');

/** The guard that runs programs that are not ours (proc/guard.ts). */
export const guardEntry = join(bundleDir, 'guard.js');

/** A UE host's inference engine (offload/uehost/engine-main.ts). */
export const engineEntry = join(bundleDir, 'engine.js');

export const protoDir = join(packageRoot, 'proto');

/** Compiled contract artifacts (abi + bytecode), written by scripts/compile-contracts.mjs at build time. */
export const contractsBuildDir = join(packageRoot, 'dist', 'contracts');
