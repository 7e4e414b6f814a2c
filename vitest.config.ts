import { defineConfig } from 'vitest/config';

// The folder is the tier: a test's place under test/ says what it needs, so nothing here lists files.
// Timeouts only end a test that hangs: every test waits on an event, so they are generous, and a busy
// machine (CI shares machines) never trips them.
export default defineConfig({
  test: {
    // Every suite reads the build (the bundle and the static assets; the image suite compares the image's
    // clock script with it): one esbuild run for them all, well under a second.
    globalSetup: ['test/support/build-once.ts'],
    projects: [
      {
        test: {
          // The fast tier (npm run test:unit): in-process only, the app through supertest, no process started.
          // Each test builds its own app, so the files can share one module graph per worker: not loading
          // Express, pino and prom-client again for every file is most of the time saved. As many workers as
          // the processes' (vitest runs two projects side by side only then): under `npm test` the unit files
          // fill the time the process suites spend waiting.
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          isolate: false,
          maxWorkers: 4,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          // The built server, the health probe, kubectl, promtool and Prometheus, as processes. They wait on
          // them far more than they compute, so they run side by side, more of them than there are cores.
          name: 'process',
          include: ['test/process/**/*.test.ts'],
          maxWorkers: 4,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'images',
          include: ['test/images/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_200_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
