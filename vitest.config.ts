import { defineConfig } from 'vitest/config';

// Two projects: `domain` is pure code and needs nothing running; `integration` gets one Temporal
// dev server, one fresh database and one workflow bundle for the whole run (test/helpers/global-setup.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'domain',
          include: ['test/domain/**/*.test.ts'],
          pool: 'threads',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/{activities,workflows,api,e2e}/**/*.test.ts'],
          pool: 'forks',
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
