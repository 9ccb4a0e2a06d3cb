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

/** The compiled CLI entry; child processes (twin agents) are started through it. */
export const cliEntry = join(packageRoot, 'dist', 'harness', 'cli', 'main.js');

/** The entry the controller starts agents and twin modems through (cli/child.ts: same commands, lighter start). */
export const childEntry = join(packageRoot, 'dist', 'harness', 'cli', 'child.js');

export const protoDir = join(packageRoot, 'proto');

/** Compiled contract artifacts (abi + bytecode), written by scripts/compile-contracts.mjs at build time. */
export const contractsBuildDir = join(packageRoot, 'dist', 'contracts');
