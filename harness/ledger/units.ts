// Fixed point and spectrum units of the ledger (the contract uses the same ones):
// - token amounts (balances, supply, costs) are bigint MICRO-TOKENS: 1 token = 1_000_000n;
// - a token is worth one spectrum unit (tokenUnitKHz, 180 kHz) for one second;
// - price is micro-tokens per spectrum unit per second; durations are milliseconds.
import { ConfigError } from '../errors.js';

/** Micro-tokens per token. */
export const MICRO_PER_TOKEN = 1_000_000n;

/** The rig file's `spectrum` section (validated by harness/rig). */
export interface SpectrumConfig {
  bandMHz: number;
  tokenUnitKHz: number;
  supplyTokens: number;
  priceTokensPerUnitSecond: number;
  epochMs: number;
}

/** The contract's constructor parameters, derived from a SpectrumConfig. */
export interface LedgerParams {
  /** W in spectrum units: floor(bandMHz * 1000 / tokenUnitKHz). */
  bandUnits: bigint;
  supplyMicro: bigint;
  priceMicroPerUnitSecond: bigint;
}

/** Micro-tokens as a (possibly fractional) token count, for reports and plots. */
export function microToTokens(micro: bigint): number {
  const whole = micro / MICRO_PER_TOKEN;
  const frac = micro % MICRO_PER_TOKEN;
  return Number(whole) + Number(frac) / 1e6;
}

/** Tokens (a finite, non-negative number from a rig file) in micro-tokens, rounded to the nearest. */
export function tokensToMicro(tokens: number, what = 'token amount'): bigint {
  if (!Number.isFinite(tokens) || tokens < 0) throw new ConfigError(`${what} must be a finite non-negative number, got ${tokens}`);
  // Through the decimal string, so 0.1 tokens is exactly 100000 micro-tokens.
  const [intPart, fracPart = ''] = tokens.toFixed(6).split('.');
  return BigInt(intPart) * MICRO_PER_TOKEN + BigInt(fracPart.padEnd(6, '0').slice(0, 6));
}

/** W in spectrum units: floor(bandMHz * 1000 / tokenUnitKHz), computed without float drift. */
export function bandUnitsOf(spectrum: Pick<SpectrumConfig, 'bandMHz' | 'tokenUnitKHz'>): bigint {
  const { bandMHz, tokenUnitKHz } = spectrum;
  if (!(bandMHz > 0) || !(tokenUnitKHz > 0)) throw new ConfigError(`spectrum: bandMHz and tokenUnitKHz must be positive`);
  // Both to milli-kHz (Hz) integers, then integer division.
  const bandHz = BigInt(Math.round(bandMHz * 1e6));
  const unitHz = BigInt(Math.round(tokenUnitKHz * 1e3));
  if (unitHz === 0n) throw new ConfigError('spectrum.tokenUnitKHz is too small');
  return bandHz / unitHz;
}

export function ledgerParamsOf(spectrum: SpectrumConfig): LedgerParams {
  const bandUnits = bandUnitsOf(spectrum);
  if (bandUnits === 0n) throw new ConfigError(`spectrum: the band (${spectrum.bandMHz} MHz) is narrower than one token unit (${spectrum.tokenUnitKHz} kHz)`);
  const supplyMicro = tokensToMicro(spectrum.supplyTokens, 'spectrum.supplyTokens');
  const priceMicroPerUnitSecond = tokensToMicro(spectrum.priceTokensPerUnitSecond, 'spectrum.priceTokensPerUnitSecond');
  if (priceMicroPerUnitSecond === 0n) throw new ConfigError('spectrum.priceTokensPerUnitSecond must be at least 0.000001 token');
  return { bandUnits, supplyMicro, priceMicroPerUnitSecond };
}
