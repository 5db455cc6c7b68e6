import { defineConfig } from 'vitest/config';

// The suite talks to real directory servers (started once in globalSetup) and to
// emulators started per file; files run in parallel forks, tests inside a file in order.
// Two projects: 'main' (everything), then 'disruptive' (tests that reconfigure and restart a
// shared server, e.g. Samba with strong auth required). sequence.groupOrder runs the second
// group only after every file of the first has finished, so no parallel file sees the restart.
// globalSetup stays at the root: the root project runs it once and both projects inherit what
// it provides (inject('world')); the projects do not extend the root, so it does not run twice.
const DISRUPTIVE = ['test/disruptive/**/*.test.ts'];
const shared = { testTimeout: 60_000, hookTimeout: 180_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    globalSetup: ['test/world/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { test: { ...shared, name: 'main', include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**', ...DISRUPTIVE], sequence: { groupOrder: 0 } } },
      // one file at a time, after 'main'
      { test: { ...shared, name: 'disruptive', include: DISRUPTIVE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
