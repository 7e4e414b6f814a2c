import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEMORY_FLOOR_MIB } from '../../../src/lifecycle/connection-limits.ts';
import { checkCompose, checkMemoryLimit } from './compose-rules.ts';
import { checkDockerignore } from './context-rules.ts';

const DOCKERIGNORE = readFileSync('.dockerignore', 'utf8');
const COMPOSE = readFileSync('compose.yaml', 'utf8');

describe('.dockerignore', () => {
  it('ignores everything, then re-includes exactly what the build copies', () => {
    expect(checkDockerignore(DOCKERIGNORE)).toEqual([]);
  });

  it.each([
    [
      'a deny-list',
      DOCKERIGNORE.replace(/^\*$/m, 'node_modules'),
      'the first pattern is not "*": this is a deny-list, and new files would enter the context',
    ],
    ['an extra re-inclusion', `${DOCKERIGNORE}!test/\n`, 're-includes test/, which no build step copies'],
    [
      'a missing re-inclusion',
      DOCKERIGNORE.replace('!public/\n', ''),
      'does not re-include public/, which the build copies',
    ],
    [
      'a pattern after the allow-list',
      `${DOCKERIGNORE}src/**/*.test.ts\n`,
      '"src/**/*.test.ts" after the allow-list: only re-inclusions belong there',
    ],
  ])('fires on %s, and only that rule', (_defect, bad, problem) => {
    expect(bad).not.toBe(DOCKERIGNORE);
    expect(checkDockerignore(bad)).toEqual([problem]);
  });
});

describe('compose.yaml', () => {
  it('runs both images hardened, on loopback ports 5000 and 5001', () => {
    expect(checkCompose(COMPOSE)).toEqual([]);
  });

  // The hardening is shared through one anchor, so a defect there shows in both services.
  const both = (problem: string) => [`slim: ${problem}`, `distroless: ${problem}`];

  it.each([
    ['writable root', 'read_only: true', 'read_only: false', both('root filesystem is not read_only')],
    ['no tmpfs', '  tmpfs:\n    - /tmp\n', '', both('no tmpfs on /tmp')],
    ['capabilities kept', '  cap_drop:\n    - ALL\n', '', both('does not drop ALL capabilities')],
    [
      'privileges may grow',
      '    - no-new-privileges:true\n',
      '    - seccomp:unconfined\n',
      both('lacks no-new-privileges'),
    ],
    ['no memory limit', '  mem_limit: 128m\n', '', both('has no memory limit')],
    ['no CPU limit', '  cpus: 1\n', '', both('has no CPU limit')],
    ['no PIDs limit', '  pids_limit: 64\n', '', both('has no PIDs limit')],
    [
      'published on every interface',
      '"${BIND_ADDRESS:-127.0.0.1}:${SLIM_PORT:-5000}:5000"',
      '"${SLIM_PORT:-5000}:5000"',
      ['slim: publishes ${SLIM_PORT:-5000}:5000 on every interface: give a host address'],
    ],
    [
      'published on 0.0.0.0 by default',
      '"${BIND_ADDRESS:-127.0.0.1}:${DISTROLESS_PORT:-5001}:5000"',
      '"${BIND_ADDRESS:-0.0.0.0}:${DISTROLESS_PORT:-5001}:5000"',
      ['distroless: publishes on 0.0.0.0 by default, not 127.0.0.1'],
    ],
    [
      'a fixed host port',
      '${DISTROLESS_PORT:-5001}:5000',
      '5001:5000',
      ['distroless: host port is 5001, not ${DISTROLESS_PORT:-5001}'],
    ],
    [
      'wrong image tag',
      'image: moscow-time:slim',
      'image: moscow-time:latest',
      ['slim: image is moscow-time:latest, not moscow-time:slim'],
    ],
    [
      'an init process',
      '    image: moscow-time:slim\n',
      '    image: moscow-time:slim\n    init: true\n',
      ['slim: uses init'],
    ],
    [
      'extra capabilities',
      '    image: moscow-time:slim\n',
      '    image: moscow-time:slim\n    cap_add: [NET_ADMIN]\n',
      ['slim: adds capabilities NET_ADMIN'],
    ],
  ])('fires on %s, and only that rule', (_defect, from, to, problems) => {
    const bad = COMPOSE.replace(from, to);
    expect(bad).not.toBe(COMPOSE);
    expect(checkCompose(bad)).toEqual(problems);
  });

  it(`sets mem_limit to twice the memory floor, ${MEMORY_FLOOR_MIB} MiB`, () => {
    expect(checkMemoryLimit(COMPOSE, MEMORY_FLOOR_MIB)).toEqual([]);
  });

  it('notices a mem_limit that does not follow the floor', () => {
    expect(checkMemoryLimit(COMPOSE, 96)).toEqual([
      'slim: mem_limit is 128m, not 192m',
      'distroless: mem_limit is 128m, not 192m',
    ]);
    const bad = COMPOSE.replace('mem_limit: 128m', 'mem_limit: 256m');
    expect(bad).not.toBe(COMPOSE);
    expect(checkMemoryLimit(bad, MEMORY_FLOOR_MIB)).toContain('slim: mem_limit is 256m, not 128m');
  });

  it('refuses a version: key (the Compose Specification has none)', () => {
    expect(() => checkCompose(`version: "3.8"\n${COMPOSE}`)).toThrow(/version/);
  });
});
