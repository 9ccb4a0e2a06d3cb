// harness/nr: 3GPP tables and conversions, pure data and arithmetic that plan/, rig/, twin/
// and the drivers all import (so none imports another for a table). Only 3GPP material
// lives here: vendor formats (a modem's bandwidth enums, reply layouts) stay with drivers.
export { LTE_PRB_TABLE, NR_FR1_PRB_TABLE, numerology, prbCount, prbWidthKHz, type Rat } from './prb.js';
export { carrierLowEdgeMHz, prbRangeMHz, type CarrierGrid } from './grid.js';
export {
  LTE_CQI_EFFICIENCY,
  LTE_CQI_TABLE,
  NR_CQI_EFFICIENCY,
  NR_CQI_TABLE_256QAM,
  cqiEntry,
  cqiTableFor,
  cqiToSpectralEfficiency,
  type CqiEntry,
  type CqiTable,
} from './cqi.js';
export { OVERHEAD, frequencyRange, nrDataRateBps, symbolDurationS, type Direction, type FrequencyRange, type RateInput } from './rate.js';
export { LTE_DL_BANDS, carrierArfcn, lteEarfcn, nrArfcn } from './arfcn.js';
export { LTE_TDD_BANDS, NR_TDD_BANDS } from './duplex.js';
export { NR_BAND_BANDWIDTHS, nrBandwidths, nrRasterStepMHz } from './bandwidths.js';
