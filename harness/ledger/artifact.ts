// The compiled contracts (dist/contracts/<Name>.json, written by `npm run build`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { ComponentError, messageOf } from '../errors.js';
import { contractsBuildDir } from '../paths.js';

export interface Artifact {
  abi: unknown[];
  bytecode: Hex;
}
export type ContractName = 'SpectrumLedger' | 'LabToken' | 'UeMarket' | 'ComputeMarket';

const cache = new Map<ContractName, Artifact>();

export function loadArtifact(name: ContractName = 'SpectrumLedger'): Artifact {
  const hit = cache.get(name);
  if (hit) return hit;
  const path = join(contractsBuildDir, `${name}.json`);
  let parsed: Partial<Artifact>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Artifact>;
  } catch (err) {
    throw new ComponentError('ledger', `contract artifact ${path} missing or unreadable (${messageOf(err)}); run \`npm run build\``, 'LEDGER_NOT_BUILT');
  }
  if (!Array.isArray(parsed.abi) || typeof parsed.bytecode !== 'string' || !/^0x[0-9a-f]+$/i.test(parsed.bytecode))
    throw new ComponentError('ledger', `contract artifact ${path} is malformed; run \`npm run build\``, 'LEDGER_NOT_BUILT');
  const artifact = { abi: parsed.abi, bytecode: parsed.bytecode as Hex };
  cache.set(name, artifact);
  return artifact;
}
