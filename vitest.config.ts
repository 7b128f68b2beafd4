import { defineConfig } from 'vitest/config';

// One test command for the whole repository: unit tests beside the code in every workspace,
// end-to-end tests in tests/. Tests that start real servers (InfluxDB, mosquitto, chromium)
// get generous timeouts; no test asserts on speed (that is bench/'s job).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'protocols', include: ['protocols/src/**/*.test.ts', 'protocols/scripts/**/*.test.ts'] } },
      { test: { name: 'edge', include: ['edge/src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      { test: { name: 'hub', include: ['hub/src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      { test: { name: 'dashboard', include: ['dashboard/src/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['tests/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
