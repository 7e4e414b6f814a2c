import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The cluster harness (npm run test:cluster), apart from npm run test:lab: its first hook may build
// kube-apiserver and etcd from cold, which takes as long as the build (see build.sh and
// docs/kubernetes.md), so the hook's bound is that of CI's whole run. Run from the repository's root, as
// every lab command is.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['lab/cluster/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 5_400_000,
  },
});
