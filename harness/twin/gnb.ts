// The twin base station: an E2-style agent (proto/e2.proto, service E2Node) for one emulated
// gNB / eNB, run as its own process (`ranlab twin-gnb --config <file.json>`). Its parts live
// in harness/twin/gnb/: config.ts (the config file), server.ts (the gRPC server, built in one
// place), agent.ts (cells, air, KPM periods), kpm.ts (indications), run.ts (the process).
// It imports the wire contract (harness/wire) and no driver.
export { TwinGnb } from './gnb/agent.js';
export { loadTwinGnbConfig, parseTwinGnbConfig, type TwinGnbConfig } from './gnb/config.js';
export { runTwinGnb } from './gnb/run.js';
