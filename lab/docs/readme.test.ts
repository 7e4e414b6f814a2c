import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pinnedBases } from '../../test/images/support/pins.ts';
import { checkLineLinks, findLineLinks, refreshLineLinks } from './line-links.ts';
import { REGENERATE } from './render.ts';
import { LOG_BUFFER_LIMIT_BYTES } from '../../src/observability/logger.ts';

const README = readFileSync('README.md', 'utf8');
const read = (file: string) => readFileSync(file, 'utf8');

describe('README line links', () => {
  it('links the practices to the Dockerfile, .dockerignore and compose lines', () => {
    const files = new Set(findLineLinks(README).map((link) => link.file));
    expect([...files].sort()).toEqual(['.dockerignore', 'Dockerfile', 'compose.yaml', 'distroless.Dockerfile']);
  });

  it('every link points at the line it quotes', () => {
    expect(checkLineLinks(README, read), `run ${REGENERATE}: it moves each link after its line`).toEqual([]);
  });

  it('notices a link an edit has left behind', () => {
    const dockerfile = read('Dockerfile');
    const shifted = (file: string) => (file === 'Dockerfile' ? `# a new comment line\n${dockerfile}` : read(file));
    const problems = checkLineLinks(README, shifted);
    // Every link into Dockerfile now points one line too high, and no other link moved.
    expect(problems).toHaveLength(findLineLinks(README).filter((link) => link.file === 'Dockerfile').length);
    expect(problems[0]).toMatch(/^Dockerfile#L\d+ should show `/);
  });

  it('can move every link after its line', () => {
    const dockerfile = read('Dockerfile');
    const shifted = (file: string) => (file === 'Dockerfile' ? `# one\n# two\n${dockerfile}` : read(file));
    const refreshed = refreshLineLinks(README, shifted);
    expect(checkLineLinks(refreshed, shifted)).toEqual([]);
    expect(refreshed).toContain(`(Dockerfile#L${String(dockerfile.split('\n').indexOf('USER 1000:1000') + 3)})`);
  });

  it('refuses to move a link whose line is gone', () => {
    const without = (file: string) =>
      file === 'Dockerfile' ? read(file).replace('EXPOSE 5000', 'EXPOSE 8080') : read(file);
    expect(() => refreshLineLinks(README, without)).toThrow('`EXPOSE 5000` in Dockerfile');
  });
});

describe('docs facts tied to the code', () => {
  it('give the log buffer size the logger uses', () => {
    expect(read('docs/operations.md')).toContain(
      `bounded buffer (${String(LOG_BUFFER_LIMIT_BYTES / 1024 / 1024)} MiB)`,
    );
  });
});

/** The pinned images whose digest a page does not name, as docs/security.md writes one: `sha256:` and 8 digits. */
function digestsNotNamed(page: string, pinned: string[]): string[] {
  return pinned.filter((image) => !page.includes(`sha256:${image.split('@sha256:')[1]?.slice(0, 8) ?? '-'}…`));
}

describe('docs/security.md, where the digests come from', () => {
  const page = read('docs/security.md');

  it('names the digest each Dockerfile pins', () => {
    const { node, distroless } = pinnedBases();
    expect(digestsNotNamed(page, [node, distroless])).toEqual([]);
  });

  it('notices a digest bumped without it', () => {
    const bumped = `node:24.21.0-trixie-slim@sha256:${'0'.repeat(64)}`;
    expect(digestsNotNamed(page, [bumped])).toEqual([bumped]);
  });
});
