// Starts the test world's real directory servers (Samba AD DC + OpenLDAP, in parallel; reused when
// already running and healthy, restored from .cache/world when seeded before) and provides the World
// to the tests (`inject('world')`). The teardown stops what this run started, unless another run
// still uses it or DIRLINK_KEEP_WORLD=1. See test/world/directories.ts and test/world/ldap/.
import type { TestProject } from 'vitest/node';
import { startWorld } from './directories.js';

export default async function setup(project: TestProject) {
  const verbose = process.env.DIRLINK_WORLD_VERBOSE === '1';
  const started = await startWorld({ log: verbose ? (l) => process.stderr.write(`  ${l}\n`) : undefined });
  project.provide('world', started.world);
  process.stderr.write(`${started.summary}\n`);
  return async () => {
    await started.teardown();
  };
}
