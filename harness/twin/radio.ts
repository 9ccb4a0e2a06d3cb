// The twin's radio model (harness/twin/radio/): this file is its public surface, kept at
// the path other parts import.
export * from './radio/index.js';
// 3GPP tables once defined here now live in harness/nr; re-exported so importers written
// against this path keep building (new code imports harness/nr directly).
export {
  LTE_CQI_EFFICIENCY,
  LTE_PRB_TABLE,
  NR_CQI_EFFICIENCY,
  NR_FR1_PRB_TABLE,
  carrierLowEdgeMHz,
  cqiTableFor,
  cqiToSpectralEfficiency,
  lteEarfcn,
  nrArfcn,
  prbCount,
  prbRangeMHz,
  prbWidthKHz,
  type CqiTable,
  type Rat,
} from '../nr/index.js';
