import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '../../../scripts/build.ts';

export interface Baselines {
  folder: string;
  bareHttp: string;
  bareExpress: string;
  peer: string;
}

// Bundled like the app, so a start-up ratio compares a bundle with a bundle; with source maps for a profile.
export async function buildBaselines({ sourcemap = false } = {}): Promise<Baselines> {
  const folder = mkdtempSync(join(tmpdir(), 'moscow-time-bench-'));
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: {
      'bare-http': 'lab/bench/baselines/bare-http.ts',
      'bare-express': 'lab/bench/baselines/bare-express.ts',
      peer: 'lab/bench/baselines/peer.ts',
    },
    outdir: folder,
    ...(sourcemap ? { sourcemap: 'external' } : {}),
  });
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  return {
    folder,
    bareHttp: join(folder, 'bare-http.js'),
    bareExpress: join(folder, 'bare-express.js'),
    peer: join(folder, 'peer.js'),
  };
}
