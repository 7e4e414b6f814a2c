// Bundles each entry point with its dependencies into one file in dist/: the image then needs no
// node_modules, and Node starts faster reading one file than resolving a few hundred modules.
// Self-contained on purpose: the image build copies this one script (see .dockerignore).
import { writeFileSync } from 'node:fs';
import { build, type BuildOptions } from 'esbuild';

/** The esbuild options of every bundle we start: the app's, and the benchmark's yardsticks. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  // Express and its dependencies are CommonJS and call require() for Node's built-ins.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
} satisfies BuildOptions;

if (import.meta.main) {
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: ['src/server.ts', 'src/healthcheck.ts'],
    outdir: 'dist',
    legalComments: 'linked',
  });
  // Marks dist/*.js as ES modules without copying package.json (and its dependency lists) into the image.
  writeFileSync('dist/package.json', `${JSON.stringify({ type: 'module' })}\n`);
}
