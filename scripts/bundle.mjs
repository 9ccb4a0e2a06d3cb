// Bundles the compiled entries that start a process or a thread into dist/bundle/: the CLI, the
// children's entry (agents, twin modems), the supervisor's guard, the chain and certificate
// threads and the UE's inference engine. A process then loads a few files instead of some
// hundreds (viem, zod, grpc-js and ours, each a file): module loading was most of the start-up
// to the first epoch. dist/ keeps the module-per-file build, which tests and benches import.
// Packages that load native code or start workers from their own files stay external and are
// loaded from node_modules as before.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;

// Entry names are the files' names: threads are found beside the chunk that starts them
// (new URL('./chain-thread.js', import.meta.url)), in dist/bundle as in dist/harness/<dir>.
const input = {
  main: 'dist/harness/cli/main.js',
  child: 'dist/harness/cli/child.js',
  guard: 'dist/harness/proc/guard.js',
  'chain-thread': 'dist/harness/ledger/chain-thread.js',
  'issuer-worker': 'dist/harness/certs/issuer-worker.js',
  engine: 'dist/harness/offload/uehost/engine-main.js',
};

const external = [
  'hardhat', // loaded by path at run time (ledger/inprocess.ts), with its own workers
  'koffi',
  'onnxruntime-node',
  'serialport',
  /^@serialport\//,
  'pino', // starts transport workers from its own files
];

rmSync(out, { recursive: true, force: true });
const t0 = performance.now();
await build({
  cwd: root,
  input,
  platform: 'node',
  external,
  logLevel: 'warn',
  output: { dir: out, format: 'esm', sourcemap: true, chunkFileNames: 'chunk-[name]-[hash].js' },
});
console.log(`bundle: ${Object.keys(input).length} entries -> dist/bundle (${Math.round(performance.now() - t0)} ms)`);
