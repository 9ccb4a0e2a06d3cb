// The ledger: SpectrumLedger (contracts/SpectrumLedger.sol, compiled at build time into
// dist/contracts/SpectrumLedger.json), the embedded dev chain, and the client that the trial
// runner uses for decisions and settlements.
//
// Fixed point: every token amount (balance, supply, cost) is a bigint in MICRO-TOKENS,
// 1 token = 1_000_000n (MICRO_PER_TOKEN). A token is worth one spectrum unit (tokenUnitKHz,
// 180 kHz: one LTE resource block) for one second. Spectrum is counted in those units
// (W = floor(bandMHz * 1000 / tokenUnitKHz)); price is micro-tokens per unit per second;
// durations are milliseconds. microToTokens() turns micro-tokens into a token number for reports.
export { Ledger, MIN_GAS_UNITS, loadArtifact } from './ledger.js';
export type { AttachOptions, DeployOptions, EmbeddedOptions, LedgerInfo, OperatorKey } from './ledger.js';
export { startDevChain, DEV_CHAIN_ID } from './chain.js';
export type { DevChain, DevChainOptions } from './chain.js';
export { keyFileProblem, loadOperatorKey, normalizePrivateKey, resolveKeyFile } from './keys.js';
export type { AccountSource, KeySourceOptions } from './keys.js';
export { MICRO_PER_TOKEN, microToTokens, tokensToMicro, bandUnitsOf, ledgerParamsOf } from './units.js';
export type { LedgerParams, SpectrumConfig } from './units.js';
export {
  affordableUnits,
  applySettlement,
  computeGrants,
  epochsToConverge,
  initialBalances,
  saturatedContraction,
  settlementCost,
} from './grants.js';
export type { GrantInput } from './grants.js';
export { spectrumLedgerAbi } from './abi.js';
