// The twin base station: one emulated gNB / eNB, the RAN agent's `twin` backend (`ranlab
// ran-agent --backend twin`, alias `ranlab twin-gnb`; the agent serves proto/e2.proto). Its
// parts live in harness/twin/gnb/: config.ts (the config file), agent.ts (cells, air, KPM
// periods), kpm.ts (indications). It imports the wire contract (harness/wire) and no driver.
export { TwinGnb } from './gnb/agent.js';
export { loadTwinGnbConfig, parseTwinGnbConfig, type TwinGnbConfig } from './gnb/config.js';
