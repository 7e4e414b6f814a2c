import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// The lab's own tests (npm run test:lab): the generators, the policy checks and their mutations, the
// benchmark's budget check. They run from the repository's root, as every lab command does: the files
// they read are named from there.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['lab/**/*.test.ts'],
    // Its own command (npm run test:cluster): it builds and starts a Kubernetes control plane.
    exclude: [...configDefaults.exclude, 'lab/cluster/**'],
    globalSetup: ['test/support/build-once.ts'],
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
