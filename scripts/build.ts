// Bundles each entry point with its dependencies into one file in dist/: the image then needs no
// node_modules, and Node starts faster reading one file than resolving a few hundred modules. The static
// assets go to dist/public/, the browser's clock script bundled with the src/time.ts it formats with.
// Self-contained on purpose: the image build copies this one script (see .dockerignore).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, context, type BuildOptions, type Metafile } from 'esbuild';

/** The server bundle every test and benchmark starts. */
export const SERVER_BUNDLE = 'dist/server.js';
/** The health probe both images run for HEALTHCHECK. */
export const HEALTHCHECK_BUNDLE = 'dist/healthcheck.js';

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

// "node_modules/@scope/name/lib/x.js" → "node_modules/@scope/name"
function packageFolderOf(input: string): string | undefined {
  return /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
}

/**
 * The licence text of every package inside the bundle. Bundling removes node_modules, and with it the
 * LICENSE files the MIT and ISC licences require to travel with the code.
 */
export function thirdPartyNotices(metafile: Metafile): string {
  const folders = new Set(Object.keys(metafile.inputs).flatMap((input) => packageFolderOf(input) ?? []));
  const notices = [...folders].map((folder) => {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const licenseFile = readdirSync(folder).find((file) => /^licen[cs]e/i.test(file));
    const text =
      licenseFile === undefined
        ? `(no licence file; package.json says ${manifest.license ?? 'nothing'})`
        : readFileSync(join(folder, licenseFile), 'utf8').trim();
    return `${manifest.name}@${manifest.version} (${manifest.license ?? 'unknown'})\n\n${text}\n`;
  });
  return notices.sort().join(`\n${'-'.repeat(72)}\n\n`);
}

export const SERVER = {
  ...BUNDLE_OPTIONS,
  entryPoints: ['src/server.ts', 'src/healthcheck.ts'],
  outdir: 'dist',
  legalComments: 'none',
  metafile: true,
} satisfies BuildOptions;

// Served under names that carry a hash of their bytes, which the server computes as it loads them
// (src/http/routes/static.ts): the files keep their plain names here.
const ASSETS = {
  entryPoints: ['public/clock.ts', 'public/style.css', 'public/favicon.svg'],
  outdir: 'dist/public',
  bundle: true,
  minify: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  loader: { '.svg': 'copy' },
  // public/tsconfig.json is for the type checker; the image's build context has no root tsconfig for it
  // to extend, and nothing in it changes the bundle.
  tsconfigRaw: {},
  logLevel: 'warning',
} satisfies BuildOptions;

// Marks dist/*.js as ES modules without copying package.json (and its dependency lists) into the image.
function markModules(): void {
  writeFileSync('dist/package.json', `${JSON.stringify({ type: 'module' })}\n`);
}

if (import.meta.main && process.argv.includes('--watch')) {
  // npm run dev: rebuilds on every change under src/ or public/, and Node restarts the server on every rebuild.
  // esbuild notices every change, also to a file an editor replaces rather than rewrites, which Node's own
  // --watch on src/ misses; a source map inside the bundle makes a stack trace name the line in src/.
  for (const options of [{ ...SERVER, sourcemap: 'inline' } as const, ASSETS]) {
    const watching = await context(options);
    await watching.rebuild();
    await watching.watch();
  }
  markModules();
  spawn(process.execPath, ['--enable-source-maps', '--watch-path=dist', 'dist/server.js'], { stdio: 'inherit' });
} else if (import.meta.main) {
  const { metafile } = await build(SERVER);
  await build(ASSETS);
  writeFileSync('dist/THIRD-PARTY-NOTICES.txt', thirdPartyNotices(metafile));
  markModules();
  if (existsSync('dist/server.js.LEGAL.txt')) throw new Error('dist/ is stale: remove it and build again');
}
