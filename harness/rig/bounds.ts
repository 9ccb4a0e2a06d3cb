// Numeric bounds and key sources a schema cannot state: what the ledger contract can hold,
// and key files that are usable. Each problem names the path inside the rig file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFileProblem, resolveKeyFile } from '../ledger/index.js';
import { packageRoot } from '../paths.js';
import type { Rig } from './schema.js';
import type { RigProblem } from './validate.js';

/**
 * The contract's own limit on operators (SpectrumLedger.sol, MAX_OPERATORS), read from its
 * source so the two never disagree; 64 when the source is not shipped.
 */
export function contractMaxOperators(): number {
  const sol = join(packageRoot, 'harness', 'ledger', 'contracts', 'SpectrumLedger.sol');
  if (!existsSync(sol)) return 64;
  const m = /MAX_OPERATORS\s*=\s*(\d+)/.exec(readFileSync(sol, 'utf8'));
  return m ? Number(m[1]) : 64;
}

/**
 * Token amounts become micro-tokens (1e-6) as exact integers: above 2^53 micro-tokens
 * (about 9.007e9 tokens) a JavaScript number no longer holds every micro-token, and amounts
 * like 1.23e38 would be misread, so that is the largest amount a rig may give.
 */
export const MAX_TOKENS = Math.floor(Number.MAX_SAFE_INTEGER / 1e6);
const MIN_TOKENS = 1e-6;

export function boundsProblems(rig: Rig, rigDir: string, checkKeyFiles: boolean): RigProblem[] {
  const out: RigProblem[] = [];
  const max = contractMaxOperators();
  if (rig.operators.length > max)
    out.push({ path: ['operators'], message: `${rig.operators.length} operators; the ledger contract takes at most ${max} (SpectrumLedger.MAX_OPERATORS)` });

  const tokens = (v: number, key: 'supplyTokens' | 'priceTokensPerUnitSecond') => {
    if (v > MAX_TOKENS) out.push({ path: ['spectrum', key], message: `${v} is beyond the largest token amount the ledger holds exactly (${MAX_TOKENS} tokens)` });
    else if (v < MIN_TOKENS) out.push({ path: ['spectrum', key], message: `${v} is below one micro-token (0.000001), the ledger's smallest amount` });
  };
  tokens(rig.spectrum.supplyTokens, 'supplyTokens');
  tokens(rig.spectrum.priceTokensPerUnitSecond, 'priceTokensPerUnitSecond');
  const units = Math.floor((rig.spectrum.bandMHz * 1000) / rig.spectrum.tokenUnitKHz + 1e-9);
  if (units < 1)
    out.push({ path: ['spectrum', 'tokenUnitKHz'], message: `one token unit (${rig.spectrum.tokenUnitKHz} kHz) is wider than the band (${rig.spectrum.bandMHz} MHz)` });
  if (rig.spectrum.epochMs < rig.trial.kpmPeriodMs)
    out.push({ path: ['spectrum', 'epochMs'], message: `${rig.spectrum.epochMs} ms is shorter than trial.kpmPeriodMs (${rig.trial.kpmPeriodMs} ms): epochs without a measurement would be settled as zero use` });

  rig.operators.forEach((o, i) => {
    if (!checkKeyFiles || !('keyFile' in o.account)) return;
    const path = resolveKeyFile(o.account.keyFile, rigDir);
    const problem = keyFileProblem(path);
    if (problem) out.push({ path: ['operators', i, 'account', 'keyFile'], message: `key file ${path} ${problem}` });
  });
  return out;
}
