import { defineConfig } from 'vitest/config';

// Two projects: `unit` calls core modules directly (fast, no build needed); `e2e` spawns the
// built CLI against stub servers, so it first checks dist/ is not older than src/.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests spawn the CLI and a stub server; two cores, so keep parallelism modest.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/core/**/*.test.ts', 'test/cli/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts', 'test/stub/**/*.test.ts'], globalSetup: ['test/helpers/fresh-build.ts'] } },
    ],
  },
});
