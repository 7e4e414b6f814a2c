import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The commands a reader pastes from the docs' shell blocks must work on Debian 12's Docker 20.10, whose
// CLI builds with its legacy builder unless DOCKER_BUILDKIT=1 is set (and then stops at the first
// `FROM --platform=$BUILDPLATFORM`), and must leave stdout to what a script reads.

const PAGES = globSync('**/*.md', { exclude: (path) => /(^|\/)(node_modules|dist|test-results)$/.test(path) });

/** The lines inside ```sh, ```bash and ```shell blocks, indented ones (in a list item) included. */
function shellLines(markdown: string): string[] {
  const lines: string[] = [];
  let inShell = false;
  for (const line of markdown.split('\n')) {
    const fence = /^\s*```(\w*)\s*$/.exec(line);
    if (fence !== null) inShell = !inShell && ['sh', 'bash', 'shell'].includes(fence[1] ?? '');
    else if (inShell) lines.push(line.trim());
  }
  return lines;
}

function commandProblems(markdown: string): string[] {
  return shellLines(markdown).flatMap((line) => [
    ...(/\bdocker build\b/.test(line) && !/\bDOCKER_BUILDKIT=1 docker build\b/.test(line)
      ? [`docker build without DOCKER_BUILDKIT=1: ${line}`]
      : []),
    ...(/\bnpm run standins\b/.test(line) ? [`npm run standins without -s (npm's header on stdout): ${line}`] : []),
  ]);
}

describe('the docs’ copy-paste commands', () => {
  it('reads the README and docs/', () => {
    expect(PAGES).toContain('README.md');
    expect(PAGES).toContain('docs/without-registry.md');
  });

  it.each(PAGES)('%s: every build carries DOCKER_BUILDKIT=1; npm run -s standins', (page) => {
    expect(commandProblems(readFileSync(page, 'utf8'))).toEqual([]);
  });

  it('notices a build without DOCKER_BUILDKIT=1, also in a list item’s block, and npm run standins', () => {
    const page = [
      '```sh',
      'docker build -t moscow-time:slim .',
      'DOCKER_BUILDKIT=1 docker build -f distroless.Dockerfile .',
      'docker buildx build --platform linux/arm64 .',
      'COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1 docker-compose build',
      'npm run standins',
      'npm run -s standins',
      '```',
      '',
      '- Debugging:',
      '',
      '  ```sh',
      '  docker build -f distroless.Dockerfile -t moscow-time:debug \\',
      '  ```',
      '',
      'In prose, `docker build --secret …` is a reference, not a command to paste.',
      '',
      '```text',
      'docker build in a transcript',
      '```',
    ].join('\n');
    expect(commandProblems(page)).toEqual([
      'docker build without DOCKER_BUILDKIT=1: docker build -t moscow-time:slim .',
      "npm run standins without -s (npm's header on stdout): npm run standins",
      'docker build without DOCKER_BUILDKIT=1: docker build -f distroless.Dockerfile -t moscow-time:debug \\',
    ]);
  });
});
