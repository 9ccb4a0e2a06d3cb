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
  /** Share of an unused grant's escrow kept as a holding charge, percent (default 10). */
  holdingChargePct?: number;
  /** Blocks after which an epoch's request window closes even if someone did not request (default 256). */
  requestWindowBlocks?: number;
  /** Blocks after a decision within which an operator settles itself; later, anyone settles it at the full grant (default 1024). */
  settleWindowBlocks?: number;
  /** Fairness lock-out (seeds/001), off when absent. */
  fairness?: { windowEpochs: number; maxShare: number; lockoutEpochs: number };
  /** Initial shares of the supply, one per operator in order (default equal). */
  initialBalances?: number[];
}

/** The contract's constructor parameters, derived from a SpectrumConfig. */
export interface LedgerParams {
  /** W in spectrum units: floor(bandMHz * 1000 / tokenUnitKHz). */
  bandUnits: bigint;
  supplyMicro: bigint;
  priceMicroPerUnitSecond: bigint;
  epochMs: bigint;
  requestWindowBlocks: bigint;
  settleWindowBlocks: bigint;
  /** Basis points (1/10,000) of the unused escrow kept as the holding charge. */
  holdingBps: bigint;
  fairWindowEpochs: bigint;
  fairMaxShareBps: bigint;
  lockoutEpochs: bigint;
}

export const DEFAULT_HOLDING_CHARGE_PCT = 10;
export const DEFAULT_REQUEST_WINDOW_BLOCKS = 256;
export const DEFAULT_SETTLE_WINDOW_BLOCKS = 1024;

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
  const whole = (v: number, what: string, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) throw new ConfigError(`${what} must be an integer >= ${min}, got ${v}`);
    return BigInt(v);
  };
  const epochMs = whole(spectrum.epochMs, 'spectrum.epochMs', 1);
  const holding = spectrum.holdingChargePct ?? DEFAULT_HOLDING_CHARGE_PCT;
  if (!(holding >= 0 && holding <= 100)) throw new ConfigError(`spectrum.holdingChargePct must be within 0..100, got ${holding}`);
  const f = spectrum.fairness;
  if (f && !(f.maxShare > 0 && f.maxShare <= 1)) throw new ConfigError(`spectrum.fairness.maxShare must be within (0, 1], got ${f.maxShare}`);
  return {
    bandUnits,
    supplyMicro,
    priceMicroPerUnitSecond,
    epochMs,
    requestWindowBlocks: whole(spectrum.requestWindowBlocks ?? DEFAULT_REQUEST_WINDOW_BLOCKS, 'spectrum.requestWindowBlocks', 1),
    settleWindowBlocks: whole(spectrum.settleWindowBlocks ?? DEFAULT_SETTLE_WINDOW_BLOCKS, 'spectrum.settleWindowBlocks', 1),
    holdingBps: BigInt(Math.round(holding * 100)),
    fairWindowEpochs: f ? whole(f.windowEpochs, 'spectrum.fairness.windowEpochs', 1) : 0n,
    fairMaxShareBps: f ? BigInt(Math.round(f.maxShare * 10_000)) : 0n,
    lockoutEpochs: f ? whole(f.lockoutEpochs, 'spectrum.fairness.lockoutEpochs', 1) : 0n,
  };
}

/**
 * Initial balances in micro-tokens: equal (supply / n, the remainder one micro-token each to the
 * first operators), or the given shares of the supply (floored; the last operator gets the rest,
 * so they sum to the supply exactly).
 */
export function initialBalancesOf(supplyMicro: bigint, n: number, shares?: number[]): bigint[] {
  if (!shares) {
    const N = BigInt(n);
    return [...Array(n).keys()].map((i) => supplyMicro / N + (BigInt(i) < supplyMicro % N ? 1n : 0n));
  }
  if (shares.length !== n) throw new ConfigError(`spectrum.initialBalances has ${shares.length} shares for ${n} operators`);
  const total = shares.reduce((a, b) => a + b, 0);
  if (shares.some((s) => !(s >= 0)) || Math.abs(total - 1) > 1e-9) throw new ConfigError(`spectrum.initialBalances must be non-negative shares summing to 1, got [${shares.join(', ')}]`);
  const out = shares.map((s) => (supplyMicro * BigInt(Math.round(s * 1e9))) / 1_000_000_000n);
  out[n - 1] = supplyMicro - out.slice(0, n - 1).reduce((a, b) => a + b, 0n);
  return out;
}
