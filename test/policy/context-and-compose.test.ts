import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkCompose } from './compose-rules.ts';
import { checkDockerignore } from './context-rules.ts';

const DOCKERIGNORE = readFileSync('.dockerignore', 'utf8');
const COMPOSE = readFileSync('compose.yaml', 'utf8');

describe('.dockerignore', () => {
  it('ignores everything, then re-includes exactly what the build copies', () => {
    expect(checkDockerignore(DOCKERIGNORE)).toEqual([]);
  });

  it.each([
    ['a deny-list', DOCKERIGNORE.replace(/^\*$/m, 'node_modules'), 'the first pattern is not "*"'],
    ['an extra re-inclusion', `${DOCKERIGNORE}!test/\n`, 're-includes test/, which no build step copies'],
    [
      'a missing re-inclusion',
      DOCKERIGNORE.replace('!public/\n', ''),
      'does not re-include public/, which the build copies',
    ],
    ['a pattern after the allow-list', `${DOCKERIGNORE}src/**/*.test.ts\n`, '"src/**/*.test.ts" after the allow-list'],
  ])('fires on %s', (_defect, bad, problem) => {
    expect(bad).not.toBe(DOCKERIGNORE);
    expect(checkDockerignore(bad).join('\n')).toContain(problem);
  });
});

describe('compose.yaml', () => {
  it('runs both images hardened, on ports 5000 and 5001', () => {
    expect(checkCompose(COMPOSE)).toEqual([]);
  });

  it.each([
    ['writable root', 'read_only: true', 'read_only: false', 'root filesystem is not read_only'],
    ['no tmpfs', '  tmpfs:\n    - /tmp\n', '', 'no tmpfs on /tmp'],
    ['capabilities kept', '  cap_drop:\n    - ALL\n', '', 'does not drop ALL capabilities'],
    ['privileges may grow', '    - no-new-privileges:true\n', '    - seccomp:unconfined\n', 'lacks no-new-privileges'],
    ['no memory limit', '  mem_limit: 256m\n', '', 'has no memory limit'],
    ['no PIDs limit', '  pids_limit: 64\n', '', 'has no PIDs limit'],
    [
      'wrong port',
      '"${DISTROLESS_PORT:-5001}:5000"',
      '"5001:5000"',
      'distroless: does not publish ${DISTROLESS_PORT:-5001}:5000',
    ],
    ['wrong image tag', 'image: moscow-time:slim', 'image: moscow-time:latest', 'slim: image is moscow-time:latest'],
    [
      'an init process',
      '    image: moscow-time:slim\n',
      '    image: moscow-time:slim\n    init: true\n',
      'slim: uses init',
    ],
    [
      'extra capabilities',
      '    image: moscow-time:slim\n',
      '    image: moscow-time:slim\n    cap_add: [NET_ADMIN]\n',
      'slim: adds capabilities',
    ],
  ])('fires on %s', (_defect, from, to, problem) => {
    const bad = COMPOSE.replace(from, to);
    expect(bad).not.toBe(COMPOSE);
    expect(checkCompose(bad).join('\n')).toContain(problem);
  });

  it('refuses a version: key (the Compose Specification has none)', () => {
    expect(() => checkCompose(`version: "3.8"\n${COMPOSE}`)).toThrow(/version/);
  });
});
