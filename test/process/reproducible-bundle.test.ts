import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// What the images take from the build stage is dist/, so a reproducible image needs a reproducible dist/:
// no build time, no random name, no order that depends on the file system. The image build runs
// `node scripts/build.ts` in a folder holding package.json, node_modules and what the build stage copies
// (its COPY lines, read from the Dockerfile); so does this test, twice, and compares every byte.
const BUILD_STAGE_COPIES = [...readFileSync('Dockerfile', 'utf8').matchAll(/^COPY (?!--)(\S+) \S+$/gm)]
  .map((match) => match[1] ?? '')
  .filter((source) => source !== 'package.json');
describe('npm run build', () => {
  const folder = mkdtempSync(join(tmpdir(), 'moscow-time-bundle-'));
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  const build = () => {
    rmSync(join(folder, 'dist'), { recursive: true, force: true });
    execFileSync(process.execPath, ['scripts/build.ts'], { cwd: folder, stdio: 'pipe' });
    return Object.fromEntries(
      readdirSync(join(folder, 'dist'), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort()
        .map((file) => [file.slice(folder.length + 1), createHash('sha256').update(readFileSync(file)).digest('hex')]),
    );
  };

  it('writes the same bytes twice: the bundles, the static assets, THIRD-PARTY-NOTICES.txt and package.json', () => {
    expect(BUILD_STAGE_COPIES).toEqual(['scripts/build.ts', 'src/', 'public/']);
    for (const path of ['package.json', ...BUILD_STAGE_COPIES]) cpSync(path, join(folder, path), { recursive: true });
    symlinkSync(resolve('node_modules'), join(folder, 'node_modules'));
    const first = build();
    expect(Object.keys(first)).toEqual([
      'dist/THIRD-PARTY-NOTICES.txt',
      'dist/healthcheck.js',
      'dist/package.json',
      'dist/public/clock.js',
      'dist/public/favicon.svg',
      'dist/public/style.css',
      'dist/server.js',
    ]);
    expect(build()).toEqual(first);
  });
});
