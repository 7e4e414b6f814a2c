import { parse } from 'yaml';

// The supply-chain hygiene that OpenSSF Scorecard and zizmor look for in GitHub workflows, and the
// project's own promises about what runs when. Each rule reads the workflow as text and as data.

export interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  'runs-on'?: unknown;
  'timeout-minutes'?: number;
  permissions?: Record<string, string> | string;
  needs?: string[] | string;
  if?: string;
  env?: Record<string, unknown>;
  strategy?: { 'fail-fast'?: unknown; matrix?: Record<string, unknown> };
  steps?: Step[];
}

export interface Workflow {
  file: string;
  text: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  env?: Record<string, unknown>;
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown };
  jobs: Record<string, Job>;
}

export function parseWorkflow(text: string, file = 'ci.yml'): Workflow {
  const data = parse(text) as Omit<Workflow, 'file' | 'text'> | null;
  if (data === null || typeof data.jobs !== 'object') throw new Error(`${file}: no jobs`);
  return { ...data, file, text };
}

export interface WorkflowRule {
  id: string;
  why: string;
  check(workflow: Workflow): string[];
}

/** The write scopes each job may hold, and why; every other job reads at most. */
const WRITE_SCOPES: Record<string, string[]> = {
  // Pushes each image to GHCR by digest, untagged.
  build: ['packages'],
  // Signs the proven digests: cosign trades the job's OIDC token for a signing certificate.
  sign: ['packages', 'id-token'],
  // Points the tags at the signed digests.
  publish: ['packages'],
  // SARIF upload to code scanning.
  'scan-images': ['security-events'],
  'scan-lockfile': ['security-events'],
};

/** The job that signs, the first step of a release: it waits for every check. */
const RELEASE_JOB = 'sign';
/** Jobs that come after the signature (they verify it, or tag what was signed), so signing cannot wait for them. */
const AFTER_RELEASE = ['publish'];

const steps = (workflow: Workflow) =>
  Object.entries(workflow.jobs).flatMap(([job, { steps = [] }]) => steps.map((step) => ({ job, step })));

// "uses: owner/repo/path@<40 hex> # v1.2.3": a commit cannot be moved as a tag can; the comment says
// which release it is, for readers and for Renovate.
const PINNED_USES = /^\s*(?:-\s+)?uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s+v\d+(?:\.\d+){1,2}\s*$/;

export const WORKFLOW_RULES: WorkflowRule[] = [
  {
    id: 'pinned-actions',
    why: 'every action is pinned to a full commit SHA with its release in a comment: tags can be force-pushed (CVE-2026-33634)',
    check: (workflow) =>
      workflow.text
        .split('\n')
        .map((line, index) => ({ line, number: index + 1 }))
        .filter(({ line }) => /^\s*(?:-\s+)?uses:/.test(line) && !/uses:\s*\.\//.test(line))
        .filter(({ line }) => !PINNED_USES.test(line))
        .map(
          ({ line, number }) =>
            `line ${number}: "${line.trim()}" is not pinned to a commit SHA with a # vX.Y.Z comment`,
        ),
  },
  {
    id: 'no-pull-request-target',
    why: 'pull_request_target runs with the base repository’s secrets on code from forks',
    check: (workflow) => (Object.hasOwn(workflow.on, 'pull_request_target') ? ['triggers on pull_request_target'] : []),
  },
  {
    id: 'least-privilege',
    why: 'the token starts with no permissions; each job asks for what it needs, and writes only where listed',
    check: (workflow) => {
      const problems: string[] = [];
      const top = workflow.permissions;
      if (!(typeof top === 'object' && Object.values(top).every((level) => level !== 'write'))) {
        problems.push(`top-level permissions are ${JSON.stringify(top)}, not {} or read-only`);
      }
      for (const [name, job] of Object.entries(workflow.jobs)) {
        if (typeof job.permissions !== 'object') {
          problems.push(`job ${name} does not declare its permissions (${JSON.stringify(job.permissions)})`);
          continue;
        }
        const writes = Object.entries(job.permissions)
          .filter(([, level]) => level === 'write')
          .map(([scope]) => scope);
        const allowed = WRITE_SCOPES[name] ?? [];
        problems.push(
          ...writes.filter((scope) => !allowed.includes(scope)).map((scope) => `job ${name} may write ${scope}`),
        );
      }
      return problems;
    },
  },
  {
    id: 'timeouts',
    why: 'a hung job would otherwise hold a runner for six hours',
    check: (workflow) =>
      Object.entries(workflow.jobs)
        .filter(([, job]) => typeof job['timeout-minutes'] !== 'number')
        .map(([name]) => `job ${name} has no timeout-minutes`),
  },
  {
    id: 'cancel-superseded',
    why: 'a new push to a pull request cancels the run it makes obsolete',
    check: ({ concurrency }) =>
      concurrency?.group?.includes('github.ref') === true &&
      String(concurrency['cancel-in-progress']).includes("github.event_name == 'pull_request'")
        ? []
        : [`concurrency ${JSON.stringify(concurrency)} does not cancel superseded pull-request runs`],
  },
  {
    id: 'release-after-every-check',
    why: 'nothing is signed, and so nothing published, unless every check passed, and only from main or a v* tag',
    check: ({ jobs }) => {
      const release = jobs[RELEASE_JOB];
      if (release === undefined) return [`no ${RELEASE_JOB} job`];
      const needs = [release.needs ?? []].flat();
      const checks = Object.keys(jobs).filter((name) => name !== RELEASE_JOB && !AFTER_RELEASE.includes(name));
      const problems = checks
        .filter((name) => !needs.includes(name))
        .map((name) => `${RELEASE_JOB} does not need ${name}`);
      const condition = release.if ?? '';
      for (const part of [
        "github.event_name == 'push'",
        "github.ref == 'refs/heads/main'",
        "startsWith(github.ref, 'refs/tags/v')",
      ]) {
        if (!condition.includes(part)) problems.push(`${RELEASE_JOB}'s if: lacks ${part}`);
      }
      return problems;
    },
  },
  {
    id: 'images-on-real-bases',
    why: 'on GitHub the pinned bases can be pulled: the image suite must test the images built on them, not stand-ins',
    check: (workflow) => {
      const suite = steps(workflow).filter(({ step }) => step.run?.includes('npm run test:images') === true);
      if (suite.length === 0) return ['no step runs npm run test:images'];
      return suite.flatMap(({ job, step }) =>
        ['REQUIRE_REAL_BASES', 'IMAGES_PREBUILT', 'REQUIRE_DOCKER']
          .filter((name) => String(step.env?.[name]) !== '1')
          .map((name) => `job ${job}: npm run test:images runs without ${name}=1`),
      );
    },
  },
  {
    id: 'no-expressions-in-run',
    why: 'an expression inside run: is pasted into the script before it runs (script injection); env: passes values safely',
    check: (workflow) =>
      steps(workflow)
        .filter(({ step }) => step.run?.includes('${{') === true)
        .map(({ job, step }) => `job ${job}, step "${step.name ?? step.run ?? ''}" has an expression inside run:`),
  },
  {
    id: 'no-persisted-credentials',
    why: 'actions/checkout leaves the token in .git/config unless told not to, for any later step to read',
    check: (workflow) =>
      steps(workflow)
        .filter(
          ({ step }) =>
            step.uses?.startsWith('actions/checkout@') === true && step.with?.['persist-credentials'] !== false,
        )
        .map(({ job }) => `job ${job}: actions/checkout without persist-credentials: false`),
  },
];
