// The twin modem: a Quectel module of a chosen model on a real pseudo-terminal (see modem.ts).
export { TwinModem } from './modem.js';
export { runTwinModem, startTwinModem, type StartedTwinModem } from './process.js';
export { loadTwinModemConfig, parseTwinModemConfig, twinModemConfigSchema, type TwinModemConfig, type TwinModemSettings } from './config.js';
export { MODEM_MODELS, type ModemModel } from './profiles.js';
