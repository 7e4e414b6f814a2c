import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/images/**', 'test/browser/**'],
          // The real-process tests run the bundle, so build it once per run (esbuild: well under a second).
          globalSetup: ['test/support/build-once.ts'],
          // Timeouts only end a test that hangs: every test waits on an event, so they are generous, and a
          // busy machine (CI shares machines) never trips them.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'images',
          include: ['test/images/**/*.test.ts'],
          // The served clock script is compared with the one built here.
          globalSetup: ['test/support/build-once.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
