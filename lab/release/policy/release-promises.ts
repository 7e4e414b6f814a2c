import { spawnSync } from 'node:child_process';
import { needsClosure } from '../../policy/release-rules.ts';
import type { Job, Step, Workflow, WorkflowRule } from '../../policy/workflow-rules.ts';
import { interpolate, runs, scalar, type Context, type Status } from './expression.ts';

// The release's promises in docs/ci.md, checked on what the workflow does rather than on what it says: each
// if: is evaluated for the runs that matter (a push to main, a release tag, a pull request, a fork's, after a
// failed check), each input is read as the list or map it is, and each digest is followed leg by leg.
// lab/release/policy/mutations.ts holds the edits of ci.yml each rule must catch.

const VARIANTS = ['slim', 'distroless'] as const;
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
/** Every job that checks the digests; nothing is signed unless each passed. */
const CHECKS = ['checks', 'hadolint', 'build', 'images', 'scan-images', 'scan-lockfile', 'reproducible', 'smoke-arm64'];
/** The jobs that take the digests from the build, and so cannot run when it pushed nothing. */
const ON_PUSHED_IMAGES = ['images', 'scan-images', 'reproducible', 'smoke-arm64'];
const RELEASE = ['sign', 'publish'];
const TRIVY_JOBS = ['scan-images', 'scan-lockfile'];

const digestOf = (variant: string) => `sha256:${variant}`;
const BUILD_OUTPUTS = {
  image: 'ghcr.io/o/r',
  pushed: 'true',
  ...Object.fromEntries(VARIANTS.map((v) => [v, digestOf(v)])),
};

type Run = 'push to main' | 'release tag' | 'pull request' | "a fork's pull request";
function github(run: Run): Context {
  const push = run === 'push to main' || run === 'release tag';
  return {
    event_name: push ? 'push' : 'pull_request',
    ref: run === 'push to main' ? 'refs/heads/main' : run === 'release tag' ? 'refs/tags/v1.2.3' : 'refs/pull/7/merge',
    repository: 'o/r',
    event: { pull_request: { head: { repo: { full_name: run === "a fork's pull request" ? 'fork/r' : 'o/r' } } } },
  };
}
const context = (run: Run, pushed = 'true', matrix: Context = {}): Context => ({
  github: github(run),
  needs: { build: { outputs: { ...BUILD_OUTPUTS, pushed } } },
  matrix,
  env: {},
});

// What the shared Job and Step types leave out and these rules read.
type JobAlso = Job & { outputs?: Record<string, unknown>; 'continue-on-error'?: unknown };
type StepAlso = Step & { 'continue-on-error'?: unknown };

const stepsOf = (job: Job | undefined): StepAlso[] => job?.steps ?? [];
const uses = (step: Step, action: string) => step.uses?.startsWith(`${action}@`) === true;
const needsOf = (job: Job | undefined): string[] => [job?.needs ?? []].flat();
const list = (value: unknown) =>
  scalar(value)
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
/** A "key=value,key=value" input (outputs:, a tag line, flavor:) as a map. */
const pairs = (value: unknown) =>
  new Map(list(value).map((item) => [item.split('=')[0] ?? '', item.slice(item.indexOf('=') + 1)] as const));
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((item) => b.includes(item));

/** The legs of a job's matrix (one empty leg without a matrix). */
function legs(job: Job): Context[] {
  const matrix = job.strategy?.matrix;
  if (matrix === undefined) return [{}];
  const include = [matrix.include ?? []].flat() as Context[];
  const axes = Object.entries(matrix).filter(([axis]) => axis !== 'include' && axis !== 'exclude');
  const product = axes.reduce<Context[]>(
    (all, [axis, values]) => all.flatMap((leg) => [values].flat().map((value) => ({ ...leg, [axis]: value }))),
    [{}],
  );
  return axes.length === 0 ? include : product;
}

/**
 * Whether a release job runs, the checks having ended in `checks`: a release job it needs counts as skipped
 * when that one does not run, which success() reports as false.
 */
function releaseJobRuns(workflow: Workflow, name: string, run: Run, checks: Status): boolean {
  const ended = needsOf(workflow.jobs[name]).map((need) =>
    RELEASE.includes(need) ? (releaseJobRuns(workflow, need, run, checks) ? 'success' : 'skipped') : checks,
  );
  const status = (['failure', 'cancelled', 'skipped'] as const).find((worst) => ended.includes(worst)) ?? 'success';
  return runs(workflow.jobs[name]?.if, context(run), status);
}

/** The lines of a run: script, continued lines joined, comments and blank lines left out. */
const commands = (run: string | undefined) =>
  (run ?? '')
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
const SWALLOWED = /\|\|\s*(?:true|:|exit 0)\b|^set \+e\b|;\s*true$/;

export const RELEASE_PROMISES: WorkflowRule[] = [
  {
    id: 'release-after-every-check-passed',
    why: 'sign and publish happen on a push to main or a v* tag, and only once every check on the digests passed, the arm64 run included',
    check: (workflow) =>
      RELEASE.flatMap((name) => {
        if (workflow.jobs[name] === undefined) return [`no job ${name}`];
        const problems = CHECKS.filter((check) => !needsClosure(workflow, name).has(check)).map(
          (check) => `${name} does not wait for ${check}`,
        );
        const expected: [Run, Status, boolean][] = [
          ['push to main', 'success', true],
          ['release tag', 'success', true],
          ['pull request', 'success', false],
          ["a fork's pull request", 'success', false],
          ['push to main', 'failure', false],
          ['release tag', 'cancelled', false],
        ];
        for (const [run, checks, want] of expected) {
          if (releaseJobRuns(workflow, name, run, checks) !== want)
            problems.push(`${name} ${want ? 'does not run' : 'runs'} on a ${run} when the checks ended in ${checks}`);
        }
        return problems;
      }),
  },
  {
    id: 'checks-skip-unpushed-images',
    why: "a fork's pull request pushes nothing: the jobs that pull its digests are skipped, not failed or run on nothing",
    check: (workflow) =>
      ON_PUSHED_IMAGES.flatMap((name) => {
        const job = workflow.jobs[name];
        if (job === undefined) return [`no job ${name}`];
        const problems: string[] = [];
        if (!needsOf(job).includes('build')) problems.push(`${name} does not need build`);
        if (runs(job.if, context("a fork's pull request", 'false'), 'success'))
          problems.push(`${name} runs when the build pushed nothing`);
        if (!runs(job.if, context('pull request', 'true'), 'success'))
          problems.push(`${name} does not run on the pushed images of a pull request`);
        return problems;
      }),
  },
  {
    id: 'both-platforms',
    why: 'each image is built, rebuilt and run for linux/amd64 and linux/arm64, the arm64 one on an arm64 machine',
    check: (workflow) => {
      const problems: string[] = [];
      const build = stepsOf(workflow.jobs.build).find((step) => uses(step, 'docker/build-push-action'));
      if (!sameSet(list(build?.with?.platforms), PLATFORMS))
        problems.push(`the build's platforms are ${String(build?.with?.platforms)}`);
      const rebuild = stepsOf(workflow.jobs.reproducible).flatMap((step) => commands(step.run));
      const platforms = /--platform[ =](\S+)/.exec(rebuild.join(' '))?.[1];
      if (!sameSet(list(platforms), PLATFORMS)) problems.push(`the rebuild's platforms are ${String(platforms)}`);
      const smoke = workflow.jobs['smoke-arm64'];
      if (!/-arm(?:64)?$/.test(scalar(smoke?.['runs-on'])))
        problems.push('smoke-arm64 does not run on an arm64 runner');
      if (!stepsOf(smoke).some((step) => commands(step.run).includes('docker pull --platform linux/arm64 "$REF"')))
        problems.push('smoke-arm64 does not pull the arm64 image of $REF');
      return problems;
    },
  },
  {
    id: 'each-leg-its-own-digest',
    why: "every step that names a digest names its own variant's, as the build's outputs hand it on, so no variant goes unchecked",
    check: (workflow) => {
      const problems: string[] = [];
      const outputs = (workflow.jobs.build as JobAlso | undefined)?.outputs ?? {};
      const digestStep = { steps: { digest: { outputs: Object.fromEntries(VARIANTS.map((v) => [v, digestOf(v)])) } } };
      for (const variant of VARIANTS) {
        if (interpolate(outputs[variant], digestStep) !== digestOf(variant))
          problems.push(`build's output ${variant} is not the ${variant} digest`);
      }
      for (const [name, job] of Object.entries(workflow.jobs).filter(([name]) => name !== 'build')) {
        for (const leg of legs(job)) {
          for (const step of stepsOf(job)) {
            for (const [key, value] of Object.entries({ ...job.env, ...step.env, ...step.with })) {
              const read = [...scalar(value).matchAll(/needs\.build\.outputs(?:\.([\w-]+)|\[([^\]]+)\])/g)];
              if (read.every(([, output]) => output === 'image' || output === 'pushed')) continue;
              const got = interpolate(value, context('push to main', 'true', leg));
              const named = VARIANTS.find((variant) => key.toLowerCase() === variant) ?? scalar(leg.variant);
              const wrong = VARIANTS.filter((variant) => variant !== named && got.includes(digestOf(variant)));
              if (wrong.length > 0 || (named !== '' && key !== 'IMAGE' && !got.includes(digestOf(named))))
                problems.push(`job ${name}${named === '' ? '' : ` (${named})`}: ${key} is ${got}`);
            }
          }
        }
      }
      return problems;
    },
  },
  {
    id: 'failures-fail',
    why: 'a check that fails fails its job: no continue-on-error, and no run: block that swallows a failing command',
    check: (workflow) =>
      Object.entries(workflow.jobs).flatMap(([name, job]) => [
        ...((job as JobAlso)['continue-on-error'] === undefined ? [] : [`job ${name} has continue-on-error`]),
        ...stepsOf(job).flatMap((step) => [
          ...(step['continue-on-error'] === undefined
            ? []
            : [`job ${name}, step "${step.name ?? step.uses ?? ''}" has continue-on-error`]),
          ...commands(step.run)
            .filter((line) => SWALLOWED.test(line))
            .map((line) => `job ${name}: "${line}" lets a failure pass`),
        ]),
      ]),
  },
  {
    id: 'trivy-gates-gate',
    why: 'each scan job has one Trivy gate that runs, fails the job (exit-code 1) on CRITICAL and HIGH, and scans what the report scans',
    check: (workflow) =>
      TRIVY_JOBS.flatMap((name) => {
        const trivy = stepsOf(workflow.jobs[name]).filter((step) => uses(step, 'aquasecurity/trivy-action'));
        const gates = trivy.filter((step) => scalar(step.with?.['exit-code']) === '1');
        if (gates.length !== 1) return [`job ${name} has ${gates.length} Trivy gates (exit-code: 1), not 1`];
        const [gate, report] = [gates[0] ?? {}, trivy.find((step) => !gates.includes(step))];
        const problems: string[] = [];
        const severity = list(gate.with?.severity);
        if (!['CRITICAL', 'HIGH'].every((level) => severity.includes(level)))
          problems.push(`job ${name}'s gate fails on ${severity.join(',') || 'every severity'}, not CRITICAL and HIGH`);
        if (!runs(gate.if, context('push to main'), 'success')) problems.push(`job ${name}'s gate does not run`);
        for (const input of ['image-ref', 'scan-type', 'scan-ref']) {
          if (String(gate.with?.[input]) !== String(report?.with?.[input]))
            problems.push(
              `job ${name}'s gate scans ${input} ${String(gate.with?.[input])}, the report ${String(report?.with?.[input])}`,
            );
        }
        return problems;
      }),
  },
  {
    id: 'tags-on-a-verified-signature',
    why: "publish verifies the workflow's signature on its leg's digest before it points any tag at it",
    check: (workflow) => {
      const steps = stepsOf(workflow.jobs.publish);
      const verify = steps.findIndex((step) =>
        commands(step.run).some(
          (line) => line.startsWith('cosign verify "$REF" ') && line.includes('--certificate-identity'),
        ),
      );
      const tag = steps.findIndex((step) => step.run?.includes('publish-tags.sh') === true);
      if (verify < 0) return ['publish does not verify the signature on $REF'];
      return verify < tag ? [] : ['publish tags before it verifies the signature'];
    },
  },
  {
    id: 'tags-read-back',
    why: 'publish points every tag at the digest and reads each one back (lab/release/publish-tags.sh, which the rehearsal runs)',
    check: (workflow) => {
      const step = stepsOf(workflow.jobs.publish).find((candidate) => candidate.run?.includes('publish-tags.sh'));
      if (step === undefined) return ['publish does not run lab/release/publish-tags.sh'];
      const lines = commands(step.run);
      const problems: string[] = [];
      if (!lines.includes('mapfile -t refs <<< "$TAGS"')) problems.push('publish does not read its tags from $TAGS');
      if (lines.at(-1) !== 'lab/release/publish-tags.sh "$IMAGE" "$DIGEST" "${refs[@]}"')
        problems.push('publish does not end with lab/release/publish-tags.sh "$IMAGE" "$DIGEST" and the tags');
      if (scalar(step.env?.TAGS) !== '${{ steps.meta.outputs.tags }}')
        problems.push("publish's TAGS are not metadata-action's");
      return problems;
    },
  },
  {
    id: 'semver-release-tags',
    why: 'a v* tag that is not semver fails the build job, the first of the run, before anything is built or signed',
    check: (workflow) => {
      const source = stepsOf(workflow.jobs.build).find((step) => step.id === 'source');
      if (source?.run === undefined) return ['the build job has no source step'];
      const outcome = (tag: string) =>
        spawnSync('bash', ['-euo', 'pipefail', '-c', source.run ?? ''], {
          env: {
            ...process.env,
            ...Object.fromEntries(Object.keys(source.env ?? {}).map((name) => [name, 'x'])),
            REF_TYPE: 'tag',
            REF_NAME: tag,
            EVENT: 'push',
            SHA: '0'.repeat(40),
            GITHUB_OUTPUT: '/dev/null',
          },
          encoding: 'utf8',
        }).status;
      return [
        ...['v1.2', 'v1.2.3.4', 'v01.2.3', 'vlatest']
          .filter((tag) => outcome(tag) === 0)
          .map((tag) => `the build accepts the tag ${tag}`),
        ...['v1.2.3', 'v2.0.0-rc.1']
          .filter((tag) => outcome(tag) !== 0)
          .map((tag) => `the build refuses the tag ${tag}`),
      ];
    },
  },
  {
    id: 'tag-scheme',
    why: 'slim and distroless follow main, X.Y.Z- and X.Y- tags mark releases, sha- tags name builds of main, and there is no latest',
    check: (workflow) => {
      const meta = stepsOf(workflow.jobs.publish).find((step) => uses(step, 'docker/metadata-action'));
      const problems: string[] = [];
      if (pairs(meta?.with?.flavor).get('latest') !== 'false') problems.push('publish may tag latest');
      const tags = scalar(meta?.with?.tags)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => pairs(line));
      const wanted: [string, (tag: Map<string, string>) => boolean][] = [
        ['raw', (tag) => tag.get('value') === '${{ matrix.variant }}' && tag.get('enable') === '{{is_default_branch}}'],
        ['semver', (tag) => tag.get('pattern') === '{{version}}'],
        ['semver', (tag) => tag.get('pattern') === '{{major}}.{{minor}}'],
        ['sha', (tag) => tag.get('enable') === '{{is_default_branch}}'],
      ];
      for (const [type, ok] of wanted) {
        if (!tags.some((tag) => tag.get('type') === type && ok(tag)))
          problems.push(`publish lacks its type=${type} tag`);
      }
      for (const tag of tags) {
        if (!wanted.some(([type, ok]) => tag.get('type') === type && ok(tag)))
          problems.push(`publish adds a tag ${[...tag].join(',')}`);
        if (tag.get('type') !== 'raw' && tag.get('suffix') !== '-${{ matrix.variant }}')
          problems.push(`a type=${String(tag.get('type'))} tag without the variant's suffix`);
      }
      return problems;
    },
  },
  {
    id: 'one-buildkit',
    why: 'a rebuild reproduces a digest only on the same BuildKit: every builder runs BUILDKIT_IMAGE, pinned by digest',
    check: (workflow) =>
      Object.entries(workflow.jobs).flatMap(([name, job]) => {
        const builds = stepsOf(job).some(
          (step) =>
            uses(step, 'docker/build-push-action') || commands(step.run).some((line) => line.includes('buildx build')),
        );
        const builders = stepsOf(job).filter((step) => uses(step, 'docker/setup-buildx-action'));
        if (builds && builders.length === 0) return [`job ${name} builds without setup-buildx-action`];
        return builders
          .filter((step) => pairs(step.with?.['driver-opts']).get('image') !== '${{ env.BUILDKIT_IMAGE }}')
          .map(() => `job ${name}'s builder does not run BUILDKIT_IMAGE`);
      }),
  },
  {
    id: 'attestations',
    why: 'each platform image carries an SBOM, made by the scanner pinned by digest, and full provenance',
    check: (workflow) => {
      const build = stepsOf(workflow.jobs.build).find((step) => uses(step, 'docker/build-push-action'));
      const problems: string[] = [];
      if (scalar(build?.with?.sbom) !== 'generator=${{ env.SBOM_SCANNER_IMAGE }}')
        problems.push('the build does not attach an SBOM made by the pinned SBOM_SCANNER_IMAGE');
      if (pairs(build?.with?.provenance).get('mode') !== 'max') problems.push("the build's provenance is not mode=max");
      return problems;
    },
  },
];
