#!/usr/bin/env node
// Compiles the ledger's Solidity contracts (harness/ledger/contracts/*.sol) with solc-js and
// writes one artifact per contract to dist/contracts/<Name>.json: { contractName, abi, bytecode,
// deployedBytecode, compiler }. Run at build time (`npm run build`); fails on any compiler error.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const solc = require('solc');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'harness', 'ledger', 'contracts');
const outDir = join(root, 'dist', 'contracts');

const files = readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort();
if (files.length === 0) {
  console.error(`compile-contracts: no .sol files in ${srcDir}`);
  process.exit(1);
}

const input = {
  language: 'Solidity',
  sources: Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(srcDir, f), 'utf8') }])),
  settings: {
    // Paris: no PUSH0, so the bytecode also deploys on lab chains that predate Shanghai.
    evmVersion: 'paris',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};

// Imports resolve inside the contracts folder, or as packages in node_modules
// (@openzeppelin/contracts/...), the way solc's own --base-path/--include-path would.
const findImports = (path) => {
  for (const base of [srcDir, join(root, 'node_modules')]) {
    try {
      return { contents: readFileSync(join(base, path), 'utf8') };
    } catch {
      /* next base */
    }
  }
  return { error: `import not found: ${path}` };
};

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const problems = output.errors ?? [];
for (const p of problems) console.error(p.formattedMessage ?? p.message);
if (problems.some((p) => p.severity === 'error')) {
  console.error('compile-contracts: compilation failed');
  process.exit(1);
}

mkdirSync(outDir, { recursive: true });
let count = 0;
for (const [file, contracts] of Object.entries(output.contracts ?? {})) {
  if (!files.includes(file)) continue; // imported library sources (OpenZeppelin) get no artifact
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = {
      contractName: name,
      sourceFile: `harness/ledger/contracts/${file}`,
      compiler: `solc-js ${solc.version()}`,
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
    };
    writeFileSync(join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + '\n');
    count++;
  }
}
console.log(`compile-contracts: ${count} contract(s) -> ${outDir}`);
