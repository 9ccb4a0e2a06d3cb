// The ledger: LabToken (one fixed-supply OpenZeppelin ERC20) and SpectrumLedger
// (contracts/*.sol, compiled at build time into dist/contracts/), the embedded dev chain (in
// this process, no port), and the client the trial runner uses for requests, decisions and
// settlements.
//
// Fixed point: every token amount (balance, supply, cost) is a bigint in MICRO-TOKENS,
// 1 token = 1_000_000n (MICRO_PER_TOKEN). A token is worth one spectrum unit (tokenUnitKHz,
// 180 kHz: one LTE resource block) for one second. Spectrum is counted in those units
// (W = floor(bandMHz * 1000 / tokenUnitKHz)); price is micro-tokens per unit per second;
// the epoch length (ms) is fixed in the contract at deployment.
export { Ledger, MIN_GAS_UNITS } from './ledger.js';
export type { AttachOptions, DeployOptions, EmbeddedOptions, Grant, LedgerInfo, OperatorKey, Settlement } from './types.js';
export { loadArtifact } from './artifact.js';
export { startDevChain, DEV_CHAIN_ID } from './chain.js';
export type { DevChain, DevChainOptions } from './chain.js';
export { startInProcessChain } from './inprocess.js';
export type { InProcessChain } from './inprocess.js';
export { gasLimit } from './gas.js';
export type { ComputeCall, LedgerCall, MarketCall } from './gas.js';
export { keyFileProblem, loadOperatorKey, normalizePrivateKey, resolveKeyFile } from './keys.js';
export type { AccountSource, KeySourceOptions } from './keys.js';
export { MICRO_PER_TOKEN, microToTokens, tokensToMicro, bandUnitsOf, ledgerParamsOf, initialBalancesOf } from './units.js';
export type { LedgerParams, SpectrumConfig } from './units.js';
export { spectrumLedgerAbi, labTokenAbi, ueMarketAbi } from './abi.js';
export { UeMarketClient } from './market.js';
export type { UeAward, UePayment } from './market.js';
export { readLedgerRecords } from './records.js';
export type { GrantRecord, LedgerRecords, SettlementRecord } from './records.js';
export type { ChainLink } from './link.js';
export { ComputeMarket, computeMarketAbi, computePayment, keySigner, ledgerSigner, pickService, type ComputeService, type MarketSigner, type Settled } from './compute-market.js';
