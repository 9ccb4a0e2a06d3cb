// The twin modem lives in ./modem/ (one concept per file); this path stays for its importers.
export * from './modem/index.js';
