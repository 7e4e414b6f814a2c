import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The lab's own tests (npm run test:lab): the generators, the policy checks and their mutations, the
// benchmark's budget check. They run from the repository's root, as every lab command does: the files
// they read are named from there.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['lab/**/*.test.ts'],
    globalSetup: ['test/support/build-once.ts'],
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
