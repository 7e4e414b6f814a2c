import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// What the images take from the build stage is dist/, so a reproducible image needs a reproducible dist/:
// no build time, no random name, no order that depends on the file system. The image build runs
// `node scripts/build.ts` in a folder holding package.json, scripts/build.ts, src/ and node_modules; so
// does this test, twice, and compares every byte.
describe('npm run build', () => {
  const folder = mkdtempSync(join(tmpdir(), 'moscow-time-bundle-'));
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  const build = () => {
    rmSync(join(folder, 'dist'), { recursive: true, force: true });
    execFileSync(process.execPath, ['scripts/build.ts'], { cwd: folder, stdio: 'pipe' });
    return Object.fromEntries(
      readdirSync(join(folder, 'dist'))
        .sort()
        .map((file) => [
          file,
          createHash('sha256')
            .update(readFileSync(join(folder, 'dist', file)))
            .digest('hex'),
        ]),
    );
  };

  it('writes the same bytes twice: the bundles, THIRD-PARTY-NOTICES.txt and package.json', () => {
    for (const path of ['package.json', 'scripts/build.ts', 'src'])
      cpSync(path, join(folder, path), { recursive: true });
    symlinkSync(resolve('node_modules'), join(folder, 'node_modules'));
    const first = build();
    expect(Object.keys(first)).toEqual(['THIRD-PARTY-NOTICES.txt', 'healthcheck.js', 'package.json', 'server.js']);
    expect(build()).toEqual(first);
  });
});
