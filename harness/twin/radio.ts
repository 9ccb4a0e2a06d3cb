// The twin's radio model (harness/twin/radio/): this file is its public surface, kept at
// the path other parts import. 3GPP tables live in harness/nr.
export * from './radio/index.js';
// Re-exported only for the twin modem written against this path (it is being rewritten to
// carry its own copy from the modem manual); new code imports harness/nr.
