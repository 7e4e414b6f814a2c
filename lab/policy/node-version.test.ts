import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLED_NPM } from '../images/standins.ts';
import { checkNodeOptions, checkNodeVersions, pinnedNodeVersion, readVersionedFiles } from './node-version.ts';

const FILES = [
  'Dockerfile',
  'distroless.Dockerfile',
  'README.md',
  'compose.yaml',
  ...globSync('docs/*.md'),
  ...globSync('.github/workflows/*.yml'),
  ...globSync('test/images/**/*.ts'),
  ...globSync('scripts/**/*.ts'),
];
const PACKAGE_JSON = readFileSync('package.json', 'utf8');
const PINNED = pinnedNodeVersion(readFileSync('Dockerfile', 'utf8'));

describe('one Node version everywhere', () => {
  it(`every file that names a Node version names ${PINNED}`, () => {
    expect(checkNodeVersions(PINNED, readVersionedFiles(FILES), PACKAGE_JSON)).toEqual([]);
  });

  it('notices a Dockerfile comment left behind by a bump', () => {
    const files = [{ file: 'Dockerfile', text: `# node:24.20.0-trixie-slim\n` }];
    expect(checkNodeVersions(PINNED, files, PACKAGE_JSON)).toEqual([`Dockerfile names Node 24.20.0, not ${PINNED}`]);
  });

  it('notices package.json out of step', () => {
    const stale = PACKAGE_JSON.replace(`"node": "${PINNED}"`, '"node": "24.20.0"');
    expect(stale).not.toBe(PACKAGE_JSON);
    expect(checkNodeVersions(PINNED, [], stale)).toEqual([`package.json devDependency node is 24.20.0, not ${PINNED}`]);
  });

  it('notices a workflow that sets up another Node', () => {
    const files = [{ file: '.github/workflows/ci.yml', text: 'env:\n  NODE_VERSION: 24.20.0\n' }];
    expect(checkNodeVersions(PINNED, files, PACKAGE_JSON)).toEqual([
      `.github/workflows/ci.yml sets up Node 24.20.0, not ${PINNED}`,
    ]);
  });

  it('notices a distroless image of another Node major', () => {
    const files = [
      { file: 'distroless.Dockerfile', text: 'ARG DISTROLESS_IMAGE=gcr.io/distroless/nodejs22-debian13:nonroot' },
    ];
    expect(checkNodeVersions(PINNED, files, PACKAGE_JSON)).toEqual([
      `distroless.Dockerfile uses distroless nodejs22, not nodejs${PINNED.split('.')[0] ?? ''}`,
    ]);
  });
});

describe('one set of Node options for the server', () => {
  const dockerfiles = readVersionedFiles(['Dockerfile', 'distroless.Dockerfile']);

  it('both images and npm start run the server with the same Node options', () => {
    expect(checkNodeOptions(dockerfiles, PACKAGE_JSON)).toEqual([]);
  });

  it('notices an image that drops the flag its CMD passes', () => {
    const [slim, distroless] = dockerfiles;
    if (slim === undefined || distroless === undefined) throw new Error('no Dockerfiles');
    const drifted = {
      ...slim,
      text: slim.text.replace(
        'CMD ["node", "--no-concurrent-recompilation", "dist/server.js"]',
        'CMD ["node", "dist/server.js"]',
      ),
    };
    expect(drifted.text).not.toBe(slim.text);
    expect(checkNodeOptions([distroless, drifted], PACKAGE_JSON)).toEqual([
      'Dockerfile runs Node with --max-semi-space-size=2 --max-old-space-size-percentage=43, not --no-concurrent-recompilation --max-semi-space-size=2 --max-old-space-size-percentage=43',
    ]);
  });

  it('notices an image that drifts', () => {
    const [slim, distroless] = dockerfiles;
    if (slim === undefined || distroless === undefined) throw new Error('no Dockerfiles');
    const drifted = {
      ...distroless,
      text: distroless.text.replace('--max-semi-space-size=2', '--max-semi-space-size=16'),
    };
    expect(drifted.text).not.toBe(distroless.text);
    expect(checkNodeOptions([slim, drifted], PACKAGE_JSON)).toEqual([
      'distroless.Dockerfile runs Node with --no-concurrent-recompilation --max-semi-space-size=16 --max-old-space-size-percentage=43, not --no-concurrent-recompilation --max-semi-space-size=2 --max-old-space-size-percentage=43',
    ]);
  });

  it('notices npm start without them', () => {
    const bare = PACKAGE_JSON.replace(
      'node --no-concurrent-recompilation --max-semi-space-size=2 --max-old-space-size-percentage=43 dist/server.js',
      'node dist/server.js',
    );
    expect(bare).not.toBe(PACKAGE_JSON);
    expect(checkNodeOptions(dockerfiles, bare)).toEqual([
      'npm start does not run node --no-concurrent-recompilation --max-semi-space-size=2 --max-old-space-size-percentage=43 dist/server.js',
    ]);
  });
});

describe('the stand-in Node image of the image suite', () => {
  it(`knows which npm Node ${PINNED} bundles, so a bump cannot fall back to another npm unnoticed`, () => {
    expect(BUNDLED_NPM[PINNED]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
