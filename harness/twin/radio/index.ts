// The twin's radio model: pure functions from a cell's carrier, its PRB quota, its UEs' link
// budgets and what the other operators transmit (read from the air) to what a real base
// station would report, downlink and uplink: per-PRB SINR, CQI, throughput, RSRP, RSRQ.
//
// Every throughput comes from the link budget and TS 38.306 §4.1.2's rate (rate.ts); the
// 3GPP tables come from harness/nr; the SINR -> CQI mappings and their sources are in
// cqi-map.ts; co-channel interference from other operators' transmissions that overlap a
// PRB in frequency really costs throughput (interference.ts).
export * from './link.js';
export * from './cqi-map.js';
export * from './interference.js';
export * from './rate.js';
export * from './uplink.js';
export * from './cell.js';
