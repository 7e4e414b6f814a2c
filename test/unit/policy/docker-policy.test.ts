import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDockerfile, readDockerfile } from './dockerfile.ts';
import { checkIdenticalBuildStages, DOCKERFILE_RULES } from './dockerfile-rules.ts';

const SLIM = readFileSync('Dockerfile', 'utf8');
const DISTROLESS = readFileSync('distroless.Dockerfile', 'utf8');

/** A bad Dockerfile: the real one with a single defect, so each rule is shown to fire on a near miss. */
interface Fixture {
  rule: string;
  defect: string;
  source: string;
  from: string | RegExp;
  to: string;
}

const FIXTURES: Fixture[] = [
  { rule: 'pinned-base', defect: 'digest removed', source: SLIM, from: /@sha256:[0-9a-f]{64}/, to: '' },
  { rule: 'pinned-base', defect: 'latest tag', source: SLIM, from: 'node:24.21.0-trixie-slim@', to: 'node:latest@' },
  {
    rule: 'pinned-base',
    defect: 'major version only',
    source: SLIM,
    from: 'node:24.21.0-trixie-slim@',
    to: 'node:24-trixie-slim@',
  },
  {
    rule: 'pinned-base',
    defect: 'distroless tag without digest',
    source: DISTROLESS,
    from: /(nodejs24-debian13:nonroot)@sha256:[0-9a-f]{64}/,
    to: '$1',
  },
  {
    rule: 'multi-stage',
    defect: 'RUN in the runtime stage',
    source: SLIM,
    from: '    REVISION=${REVISION}\n',
    to: '    REVISION=${REVISION}\nRUN npm ci\n',
  },
  {
    rule: 'multi-stage',
    defect: 'single stage',
    source:
      'ARG NODE_IMAGE=node:24.21.0-trixie-slim@sha256:' + 'a'.repeat(64) + '\nFROM ${NODE_IMAGE}\nUSER 1000:1000\n',
    from: 'USER',
    to: 'USER',
  },
  {
    rule: 'build-on-build-platform',
    defect: 'npm ci under emulation',
    source: SLIM,
    from: 'FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS deps',
    to: 'FROM ${NODE_IMAGE} AS deps',
  },
  {
    rule: 'build-on-build-platform',
    defect: 'a runtime pinned to the build platform',
    source: DISTROLESS,
    from: 'FROM ${DISTROLESS_IMAGE} AS runtime',
    to: 'FROM --platform=$BUILDPLATFORM ${DISTROLESS_IMAGE} AS runtime',
  },
  { rule: 'numeric-user', defect: 'USER by name', source: SLIM, from: 'USER 1000:1000', to: 'USER node' },
  { rule: 'numeric-user', defect: 'no USER', source: DISTROLESS, from: 'USER 65532:65532\n', to: '' },
  { rule: 'expose-5000', defect: 'another port', source: SLIM, from: 'EXPOSE 5000', to: 'EXPOSE 8080' },
  {
    rule: 'node-env-production',
    defect: 'development',
    source: DISTROLESS,
    from: 'NODE_ENV=production',
    to: 'NODE_ENV=development',
  },
  {
    rule: 'no-npm-at-runtime',
    defect: 'npm start',
    source: SLIM,
    from: 'CMD ["node", "--no-concurrent-recompilation", "dist/server.js"]',
    to: 'CMD ["npm", "start"]',
  },
  { rule: 'copy-allow-list', defect: 'whole context', source: SLIM, from: 'COPY src/ src/', to: 'COPY . .' },
  {
    rule: 'copy-allow-list',
    defect: 'whole build folder into the runtime',
    source: SLIM,
    from: 'COPY --from=build /build/dist/ /app/dist/',
    to: 'COPY --from=build /build/ /app/',
  },
  {
    rule: 'copy-allow-list',
    defect: 'code owned by the runtime user',
    source: DISTROLESS,
    from: 'COPY --from=build /build/dist/ /app/dist/',
    to: 'COPY --from=build --chown=65532:65532 /build/dist/ /app/dist/',
  },
  {
    rule: 'no-secrets-in-env-or-arg',
    defect: 'ARG NPM_TOKEN',
    source: SLIM,
    from: 'ARG VERSION=',
    to: 'ARG NPM_TOKEN\nARG VERSION=',
  },
  {
    rule: 'no-secrets-in-env-or-arg',
    defect: 'a token as the second key of an ENV',
    source: DISTROLESS,
    from: '    REVISION=${REVISION}\n',
    to: '    REVISION=${REVISION} NPM_TOKEN=abc\n',
  },
  {
    rule: 'no-secrets-in-env-or-arg',
    defect: 'ENV with a password',
    source: SLIM,
    from: 'ENV NODE_ENV=production',
    to: 'ENV DB_PASSWORD=hunter2 NODE_ENV=production',
  },
  {
    rule: 'labels-from-build-args',
    defect: 'version typed in',
    source: DISTROLESS,
    from: 'image.version="${VERSION}"',
    to: 'image.version="1.0.0"',
  },
  { rule: 'healthcheck', defect: 'no HEALTHCHECK', source: DISTROLESS, from: /HEALTHCHECK .*\n/, to: '' },
  {
    rule: 'healthcheck',
    defect: 'probe that always passes',
    source: SLIM,
    from: '["node", "dist/healthcheck.js"]',
    to: '["node", "-e", "process.exit(0)", "dist/healthcheck.js"]',
  },
  {
    rule: 'healthcheck',
    defect: 'probe is not the Node script',
    source: SLIM,
    from: '["node", "dist/healthcheck.js"]',
    to: '["curl", "-f", "http://localhost:5000/"]',
  },
  {
    rule: 'npm-cache-mount',
    defect: 'no cache mount',
    source: SLIM,
    from: 'RUN --mount=type=cache,target=/root/.npm,sharing=locked \\\n    ',
    to: 'RUN ',
  },
  {
    rule: 'lockfile-first',
    defect: 'sources before npm ci',
    source: SLIM,
    from: 'COPY package.json package-lock.json ./\n',
    to: 'COPY package.json package-lock.json ./\nCOPY src/ src/\n',
  },
  {
    rule: 'app-folder-owned-by-root',
    defect: 'WORKDIR creates /app as nonroot',
    source: DISTROLESS,
    from: '    REVISION=${REVISION}\n',
    to: '    REVISION=${REVISION}\nWORKDIR /app\n',
  },
  {
    rule: 'hadolint-ignore-has-reason',
    defect: 'ignore without a reason',
    source: SLIM,
    from: /# hadolint cannot resolve.*\n# and its registry.*\n/,
    to: '',
  },
  {
    rule: 'hadolint-ignore-has-reason',
    defect: 'reason that skips a rule',
    source: DISTROLESS,
    from: '(DL3006, hadolint#1078)',
    to: '(hadolint#1078)',
  },
];

function applyDefect({ source, from, to }: Fixture): string {
  const bad = source.replace(from, to);
  return bad;
}

describe.each([
  ['Dockerfile', SLIM],
  ['distroless.Dockerfile', DISTROLESS],
])('%s', (file, text) => {
  const dockerfile = parseDockerfile(text, file);
  it.each(DOCKERFILE_RULES.map((rule) => [rule.id, rule] as const))('follows %s', (_id, rule) => {
    expect(rule.check(dockerfile), rule.why).toEqual([]);
  });
});

describe('every Dockerfile rule fires on a bad fixture', () => {
  it('has at least one fixture per rule', () => {
    const covered = new Set(FIXTURES.map((fixture) => fixture.rule));
    expect(
      DOCKERFILE_RULES.map((rule) => rule.id.split(' ')[0]).filter((id) => id !== undefined && !covered.has(id)),
    ).toEqual([]);
  });

  it.each(FIXTURES.map((fixture) => [fixture.rule, fixture.defect, fixture] as const))(
    '%s: %s',
    (ruleId, _defect, fixture) => {
      const rule = DOCKERFILE_RULES.find((candidate) => candidate.id.split(' ')[0] === ruleId);
      if (rule === undefined) throw new Error(`no rule ${ruleId}`);
      const bad = applyDefect(fixture);
      if (fixture.source === SLIM || fixture.source === DISTROLESS)
        expect(bad, 'the defect must change the file').not.toBe(fixture.source);
      expect(rule.check(parseDockerfile(bad, 'fixture'))).not.toEqual([]);
    },
  );
});

describe('the two Dockerfiles', () => {
  it('share their build stages byte for byte', () => {
    expect(checkIdenticalBuildStages(readDockerfile('Dockerfile'), readDockerfile('distroless.Dockerfile'))).toEqual(
      [],
    );
  });

  it('fail the comparison when one build stage drifts', () => {
    const drifted = DISTROLESS.replace('npm ci --ignore-scripts', 'npm ci');
    expect(drifted).not.toBe(DISTROLESS);
    expect(checkIdenticalBuildStages(readDockerfile('Dockerfile'), parseDockerfile(drifted, 'drifted'))).toEqual([
      'the build stages differ between the two Dockerfiles',
    ]);
  });

  it('fail the comparison when a build stage moves out of the shared section', () => {
    const moved = SLIM.replace('# ---- runtime ----', '# ---- runtime ----\nFROM deps AS extra\n');
    expect(
      checkIdenticalBuildStages(parseDockerfile(moved, 'moved'), readDockerfile('distroless.Dockerfile')),
    ).toContain('moved: stage extra is outside the shared build stages');
  });

  it('run the distroless runtime on the same Node major as the slim image', () => {
    const nodeMajor = /node:(\d+)\./.exec(SLIM)?.[1];
    const distrolessMajor = /distroless\/nodejs(\d+)-debian13/.exec(DISTROLESS)?.[1];
    expect(nodeMajor).toBeDefined();
    expect(distrolessMajor).toBe(nodeMajor);
  });

  it('use the runtime users the images define: 1000 (node) and 65532 (nonroot)', () => {
    expect(SLIM).toContain('\nUSER 1000:1000\n');
    expect(DISTROLESS).toContain('\nUSER 65532:65532\n');
    expect(DISTROLESS).toContain('CMD ["--no-concurrent-recompilation", "dist/server.js"]');
    expect(DISTROLESS).toContain('CMD ["/nodejs/bin/node", "dist/healthcheck.js"]');
  });
});
