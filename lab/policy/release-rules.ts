import type { Job, Step, Workflow, WorkflowRule } from './workflow-rules.ts';

// The release's shape: each image built once and pushed by digest, every check run on that digest, the tags
// published last. Each rule reads the workflow as data; lab/policy/release.test.ts shows each one firing.

/** The one job that builds and pushes the images, by digest. */
const BUILD_JOB = 'build';
/** The one job that tags: it points the tags at digests every other job has checked. */
const PUBLISH_JOB = 'publish';
/** Jobs that must take the images from the build job's outputs, by digest: tested, scanned, rebuilt, signed, run. */
const DIGEST_CONSUMERS = ['images', 'scan-images', 'reproducible', 'sign', 'smoke-arm64', PUBLISH_JOB];
const IGNORE_FILE = '.trivyignore.yaml';

const FROM_BUILD = 'needs.build.outputs';
// An image by digest: "<image>@${{ needs.build.outputs... }}".
const BY_DIGEST = `@\${{ ${FROM_BUILD}`;
// A shell variable holding the image name followed by a tag: "$IMAGE:…", "${IMAGE}:…", "${IMAGE,,}:…".
const IMAGE_TAG = /\$\{?IMAGE(?:,,)?\}?:/;
const PUSH_OR_LOAD = /--push|--load|push=true|type=(?:image|registry|docker)\b/;
const PUBLISHED_FROM = "github.event_name == 'push'";

const stepsOf = (job: Job): Step[] => job.steps ?? [];
const uses = (step: Step, action: string) => step.uses?.startsWith(`${action}@`) === true;
/** A YAML value as text; a mapping or a list is not a value a rule compares. */
const scalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
const input = (step: Step, name: string) => scalar(step.with?.[name]);
const needsOf = (job: Job | undefined): string[] => [job?.needs ?? []].flat();
const runOf = (job: Job) => stepsOf(job).map((step) => step.run ?? '');
const entries = (workflow: Workflow) => Object.entries(workflow.jobs);

/** Every job a job waits for, directly or through the jobs it needs. */
export function needsClosure(workflow: Workflow, name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (job: string) => {
    for (const need of needsOf(workflow.jobs[job])) {
      if (!seen.has(need)) {
        seen.add(need);
        visit(need);
      }
    }
  };
  visit(name);
  return seen;
}

function writes(job: Job): string[] {
  return typeof job.permissions === 'object'
    ? Object.entries(job.permissions)
        .filter(([, level]) => level === 'write')
        .map(([scope]) => scope)
    : [];
}

/** The ways a step can read the GitHub Actions cache, which any job on main can write. */
function sharedCacheUse(step: Step): string | undefined {
  if (Object.values(step.with ?? {}).some((value) => String(value).includes('type=gha'))) return 'a type=gha cache';
  if (uses(step, 'actions/cache')) return 'actions/cache';
  if (uses(step, 'actions/setup-node') && input(step, 'cache') !== '') return "setup-node's cache";
  if (uses(step, 'docker/setup-buildx-action') && step.with?.['cache-binary'] !== false)
    return 'setup-buildx-action without cache-binary: false';
  if (uses(step, 'aquasecurity/trivy-action') && input(step, 'cache') !== 'false') return "trivy-action's cache";
  return undefined;
}

const buildSteps = (workflow: Workflow) =>
  entries(workflow).flatMap(([job, { steps = [] }]) =>
    steps.filter((step) => uses(step, 'docker/build-push-action')).map((step) => ({ job, step })),
  );

export const RELEASE_RULES: WorkflowRule[] = [
  {
    id: 'built-once-pushed-by-digest',
    why: 'each image is built once, in the build job, and pushed by digest with no tag: what is checked is what is published',
    check: (workflow) => {
      const builds = buildSteps(workflow);
      const problems = builds
        .filter(({ job }) => job !== BUILD_JOB)
        .map(({ job }) => `job ${job} builds an image with build-push-action`);
      const ours = builds.filter(({ job }) => job === BUILD_JOB);
      if (ours.length !== 1) return [...problems, `job ${BUILD_JOB} has ${ours.length} build-push-action steps, not 1`];
      const step = ours[0]?.step ?? {};
      const outputs = input(step, 'outputs');
      for (const part of ['push-by-digest=true', 'name-canonical=true']) {
        if (!outputs.includes(part)) problems.push(`the build's outputs lack ${part}`);
      }
      for (const name of ['tags', 'push', 'load']) {
        if (step.with?.[name] !== undefined)
          problems.push(`the build sets ${name}: (images are pushed by digest only)`);
      }
      for (const [job, { steps = [] }] of entries(workflow)) {
        for (const { run = '' } of steps) {
          if (/docker push\b/.test(run)) problems.push(`job ${job} runs docker push`);
          if (/docker (?:buildx )?build\b/.test(run) && PUSH_OR_LOAD.test(run))
            problems.push(`job ${job} builds an image it pushes or loads`);
        }
      }
      return problems;
    },
  },
  {
    id: 'digest-consumers-need-build',
    why: "every job that tests, scans, rebuilds, signs, runs or tags an image takes the build job's digest, so it needs the build",
    check: (workflow) => {
      const problems: string[] = [];
      for (const name of DIGEST_CONSUMERS) {
        const job = workflow.jobs[name];
        if (job === undefined) problems.push(`no job ${name}`);
        else if (!JSON.stringify(job).includes(FROM_BUILD))
          problems.push(`job ${name} does not take the build's outputs`);
      }
      for (const [name, job] of entries(workflow)) {
        if (JSON.stringify(job).includes(FROM_BUILD) && !needsOf(job).includes(BUILD_JOB))
          problems.push(`job ${name} reads ${FROM_BUILD} but does not need ${BUILD_JOB}`);
      }
      return problems;
    },
  },
  {
    id: 'images-by-digest-only',
    why: 'a tag can be moved between two runs (a main run and a tag run of one commit push the same sha- tag); a digest cannot',
    check: (workflow) =>
      entries(workflow)
        .filter(([name]) => name !== BUILD_JOB)
        .flatMap(([name, job]) => {
          const problems: string[] = [];
          for (const step of stepsOf(job)) {
            const imageRef = input(step, 'image-ref');
            if (imageRef !== '' && !imageRef.includes(BY_DIGEST))
              problems.push(`job ${name}: image-ref ${imageRef} is not a digest`);
            const ref = scalar({ ...job.env, ...step.env }.REF);
            if (ref !== '' && !ref.includes(BY_DIGEST)) problems.push(`job ${name}: REF ${ref} is not a digest`);
          }
          for (const line of runOf(job).flatMap((run) => run.split('\n'))) {
            if (IMAGE_TAG.test(line) || line.includes(':sha-'))
              problems.push(`job ${name}: "${line.trim()}" names a tag`);
            else if (/docker pull|cosign (?:sign|verify)/.test(line) && !/@|"\$REF"|"\$ref"/.test(line))
              problems.push(`job ${name}: "${line.trim()}" does not name a digest`);
          }
          return problems;
        }),
  },
  {
    id: 'tags-published-last',
    why: 'only the publish job tags, and only after the digests were signed and run on arm64, from main or a v* tag',
    check: (workflow) => {
      const taggers = entries(workflow)
        .filter(([, job]) =>
          runOf(job).some((run) => /imagetools create|docker tag .*ghcr\.io|lab\/release\/publish-tags\.sh/.test(run)),
        )
        .map(([name]) => name);
      const problems = taggers.filter((name) => name !== PUBLISH_JOB).map((name) => `job ${name} publishes tags`);
      const publish = workflow.jobs[PUBLISH_JOB];
      if (publish === undefined || !taggers.includes(PUBLISH_JOB))
        return [...problems, `job ${PUBLISH_JOB} tags nothing`];
      const before = needsClosure(workflow, PUBLISH_JOB);
      for (const job of ['sign', 'smoke-arm64']) {
        if (!before.has(job)) problems.push(`${PUBLISH_JOB} does not wait for ${job}`);
      }
      if (!needsClosure(workflow, 'sign').has('smoke-arm64')) problems.push('sign does not wait for smoke-arm64');
      if (!(publish.if ?? '').includes(PUBLISHED_FROM)) problems.push(`${PUBLISH_JOB}'s if: lacks ${PUBLISHED_FROM}`);
      return problems;
    },
  },
  {
    id: 'matrix-legs-independent',
    why: "fail-fast would let one leg's failure cancel the other leg midway (between push and sign, say)",
    check: (workflow) =>
      entries(workflow)
        .filter(([, job]) => job.strategy?.matrix !== undefined && job.strategy['fail-fast'] !== false)
        .map(([name]) => `job ${name}: a matrix without fail-fast: false`),
  },
  {
    id: 'no-shared-cache-when-publishing',
    why: 'a job that may push or sign reads nothing from the GitHub Actions cache, which any job on main can write',
    check: (workflow) =>
      entries(workflow)
        .filter(
          ([name, job]) => name === BUILD_JOB || writes(job).some((scope) => ['packages', 'id-token'].includes(scope)),
        )
        .flatMap(([name, job]) =>
          stepsOf(job).flatMap((step) => {
            const use = sharedCacheUse(step);
            return use === undefined ? [] : [`job ${name} uses ${use}`];
          }),
        ),
  },
  {
    id: 'reproducible-images',
    why: 'every timestamp comes from the commit (SOURCE_DATE_EPOCH, rewrite-timestamp), and a second build from scratch must give the same digests',
    check: (workflow) => {
      const problems: string[] = [];
      const build = workflow.jobs[BUILD_JOB];
      const step = buildSteps(workflow).find(({ job }) => job === BUILD_JOB)?.step;
      if (build === undefined || step === undefined) return [`no build-push-action in job ${BUILD_JOB}`];
      const epochStep = /^SOURCE_DATE_EPOCH=\$\{\{ steps\.([\w-]+)\.outputs\.epoch \}\}$/m.exec(
        input(step, 'build-args'),
      )?.[1];
      const source = stepsOf(build).find((candidate) => candidate.id === epochStep);
      if (source?.run?.includes('git log -1 --format=%ct') !== true)
        problems.push("the build's SOURCE_DATE_EPOCH is not the commit time (git log -1 --format=%ct)");
      if (!input(step, 'outputs').includes('rewrite-timestamp=true'))
        problems.push("the build's outputs lack rewrite-timestamp=true");
      const rebuilt = entries(workflow).some(
        ([name, job]) =>
          name !== BUILD_JOB &&
          needsOf(job).includes(BUILD_JOB) &&
          runOf(job).some((run) =>
            [
              'docker buildx build',
              '--no-cache',
              'rewrite-timestamp=true',
              'imagetools inspect --raw',
              'lab/release/same-platforms.sh',
            ].every((part) => run.includes(part)),
          ),
      );
      if (!rebuilt) problems.push('no job rebuilds from scratch and compares its digests with the pushed ones');
      return problems;
    },
  },
  {
    id: 'trivy-on-every-platform',
    why: 'the arm64 image has its own packages: Trivy scans each variant on both platforms',
    check: (workflow) => {
      const job = workflow.jobs['scan-images'];
      const matrix = job?.strategy?.matrix ?? {};
      const problems: string[] = [];
      for (const [axis, values] of [
        ['variant', ['slim', 'distroless']],
        ['arch', ['amd64', 'arm64']],
      ] as const) {
        const have = [matrix[axis] ?? []].flat().map(String);
        const missing = values.filter((value) => !have.includes(value));
        if (missing.length > 0) problems.push(`scan-images' matrix ${axis} lacks ${missing.join(', ')}`);
      }
      if (scalar(job?.env?.TRIVY_PLATFORM) !== 'linux/${{ matrix.arch }}')
        problems.push('scan-images does not set TRIVY_PLATFORM from matrix.arch');
      return problems;
    },
  },
  {
    id: 'trivy-gates-read-the-ignore-file',
    why: `an accepted finding is accepted in ${IGNORE_FILE}, with a reason and an expiry date, never by editing a gate`,
    check: (workflow) =>
      entries(workflow).flatMap(([name, job]) =>
        stepsOf(job)
          .filter((step) => uses(step, 'aquasecurity/trivy-action') && input(step, 'exit-code') === '1')
          .filter((step) => input(step, 'trivyignores') !== IGNORE_FILE)
          .map((step) => `job ${name}, step "${step.name ?? ''}": a Trivy gate without trivyignores: ${IGNORE_FILE}`),
      ),
  },
  {
    id: 'tool-images-by-digest',
    why: 'a tool image is pinned by digest, as the base images are; hadolint-action would run hadolint by tag',
    check: (workflow) => {
      const problems = Object.entries(workflow.env ?? {})
        .filter(([name]) => name.endsWith('_IMAGE'))
        .filter(([, value]) => !/:[^@\s]+@sha256:[0-9a-f]{64}$/.test(String(value)))
        .map(([name, value]) => `${name}=${String(value)} is not pinned by tag and digest`);
      const hadolint = stepsOf(workflow.jobs.hadolint ?? {});
      if (!hadolint.some((step) => step.run?.includes('"$HADOLINT_IMAGE"') === true))
        problems.push('job hadolint does not run $HADOLINT_IMAGE');
      problems.push(
        ...entries(workflow)
          .filter(([, job]) => stepsOf(job).some((step) => uses(step, 'hadolint/hadolint-action')))
          .map(([name]) => `job ${name} uses hadolint-action`),
      );
      return problems;
    },
  },
  {
    id: 'index-annotations',
    why: "metadata-action's annotations reach the multi-platform index, where GHCR reads the description",
    check: (workflow) => {
      const build = stepsOf(workflow.jobs[BUILD_JOB] ?? {});
      const meta = build.find((step) => uses(step, 'docker/metadata-action'));
      const step = build.find((candidate) => uses(candidate, 'docker/build-push-action'));
      const problems: string[] = [];
      if (!scalar(meta?.env?.DOCKER_METADATA_ANNOTATIONS_LEVELS).includes('index'))
        problems.push("the build's metadata-action does not annotate the index (DOCKER_METADATA_ANNOTATIONS_LEVELS)");
      if (meta?.id === undefined || input(step ?? {}, 'annotations') !== `\${{ steps.${meta.id}.outputs.annotations }}`)
        problems.push("the build does not pass metadata-action's annotations");
      return problems;
    },
  },
  {
    id: 'failures-leave-evidence',
    why: 'a failed run still shows why: the image report is uploaded anyway, and a failed smoke run prints the log',
    check: (workflow) => {
      const problems: string[] = [];
      const upload = stepsOf(workflow.jobs.images ?? {}).find((step) => uses(step, 'actions/upload-artifact'));
      if (!(upload?.if ?? '').includes('always()')) problems.push('the images-report upload lacks if: always()');
      const smoke = stepsOf(workflow.jobs['smoke-arm64'] ?? {});
      if (!smoke.some((step) => (step.if ?? '').includes('failure()') && step.run?.includes('docker logs') === true))
        problems.push('smoke-arm64 prints no docker logs when it fails');
      return problems;
    },
  },
];

/**
 * BuildKit scans a build stage for the SBOM only where the Dockerfile declares BUILDKIT_SBOM_SCAN_STAGE: a
 * --build-arg alone changes nothing. The stage that bundles the npm packages must declare it.
 */
export function sbomScanStageProblems(file: string, text: string): string[] {
  const stage = /^FROM deps AS build\n([\s\S]*?)(?=^FROM )/m.exec(text)?.[1];
  if (stage === undefined) return [`${file} has no build stage (FROM deps AS build)`];
  return /^ARG BUILDKIT_SBOM_SCAN_STAGE=true$/m.test(stage)
    ? []
    : [`${file}'s build stage does not declare ARG BUILDKIT_SBOM_SCAN_STAGE=true`];
}
