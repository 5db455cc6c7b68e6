import { defineConfig } from 'vitest/config';

// The suite talks to real directory servers (started once in globalSetup) and to
// emulators started per file; files run in parallel forks, tests inside a file in order.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/world/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
