#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript, bundled under dist/bundle/ (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('ranlab is not built yet: run `npm run build` (or ./bootstrap.sh) first.');
  process.exit(2);
}
await import(entry.href);
