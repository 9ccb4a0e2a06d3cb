import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites start real processes (influxd, a dev chain, twin agents): give them room,
    // and run files one at a time on the 2-core CI machine so timings stay honest.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // One temporary folder per run, removed at its end (test/helpers/tmpdir-setup.ts).
    globalSetup: ['test/helpers/tmpdir-setup.ts'],
    reporters: ['default'],
  },
});
