import { isMap, isSeq, type Document, type YAMLMap } from 'yaml';
import { scalar } from './expression.ts';

// The release's promises, as docs/ci.md makes them, and the edits of .github/workflows/ci.yml that would break
// each one: the kind a careless change or a bad merge makes. mutations.test.ts applies every edit to the
// parsed workflow and fails unless the rule named in its row catches it.

export const PROMISES = {
  'built-once': 'each image is built once, in build, and pushed by digest with no tag',
  'both-platforms': 'for linux/amd64 and linux/arm64: built, scanned, rebuilt, the arm64 one run on arm64',
  'digest-to-every-check': "every later job takes its own variant's digest from the build's outputs",
  'suite-on-the-digest': 'the image suite runs on exactly those images, on the real bases',
  'trivy-gates': 'the Trivy gates fail on CRITICAL or HIGH with a fix, unless .trivyignore.yaml accepts it',
  reproducible: "a second build from scratch fails unless every platform's manifest digest equals the pushed one",
  'sign-after-checks': 'sign runs only after every check passed, the arm64 smoke run included',
  'release-from-main-and-tags': 'sign and publish run for pushes to main and v* tags only',
  'tags-on-signed': "publish verifies the workflow's signature on the digest before it tags",
  'tags-last': 'publish tags only after sign, and reads every tag back against the digest',
  'semver-tags': 'a v* tag that is not semver fails at the start of the run, before anything is signed',
  'tag-scheme': 'slim/distroless follow main, X.Y.Z- and X.Y- mark releases, sha- names builds of main, no latest',
  'legs-independent': "one matrix leg's failure never cancels the other halfway",
  'forks-not-pushed': "a fork's images are built but not pushed, and the jobs that would take them are skipped",
  pinned: 'actions by commit, tool images and BuildKit by digest, the same BuildKit for the build and the rebuild',
  'least-privilege': 'only build, sign and publish write packages; only sign asks for an OIDC token',
  'no-shared-cache': 'no job that may push or sign reads the GitHub Actions cache',
  attestations: 'SBOM and provenance attestations, and the OCI annotations on the index',
  'timestamps-from-commit': 'SOURCE_DATE_EPOCH is the commit time and layer times are rewritten to it',
} as const;

export interface Mutation {
  promise: keyof typeof PROMISES;
  mutation: string;
  /** The rule that must catch it (lab/policy/ or lab/release/policy/). */
  caughtBy: string;
  edit: (workflow: Document) => void;
}

type Path = (string | number)[];

function stepIndex(workflow: Document, job: string, match: (step: YAMLMap) => boolean, nth = 0): number {
  const steps = workflow.getIn(['jobs', job, 'steps']);
  if (!isSeq(steps)) throw new Error(`job ${job} has no steps`);
  const found = steps.items.flatMap((step, index) => (isMap(step) && match(step) ? [index] : []))[nth];
  if (found === undefined) throw new Error(`job ${job}: no such step`);
  return found;
}
const named = (text: string) => (step: YAMLMap) => scalar(step.get('name')).includes(text);
const using = (action: string) => (step: YAMLMap) => scalar(step.get('uses')).startsWith(`${action}@`);
const step = (workflow: Document, job: string, match: (step: YAMLMap) => boolean, nth = 0): Path => [
  'jobs',
  job,
  'steps',
  stepIndex(workflow, job, match, nth),
];
const set = (path: (w: Document) => Path, value: unknown) => (w: Document) => {
  w.setIn(path(w), value);
};
const remove = (path: (w: Document) => Path) => (w: Document) => {
  if (!w.hasIn(path(w))) throw new Error(`nothing at ${path(w).join('.')}`);
  w.deleteIn(path(w));
};
/** A job's `needs:` as the workflow has it, less one job, failing loudly when it was not there. */
const withoutNeed = (job: string, need: string) => (w: Document) => {
  const needs = w.getIn(['jobs', job, 'needs']);
  const names = isSeq(needs) ? needs.toJSON().map(scalar) : [];
  if (!names.includes(need)) throw new Error(`${job} does not need ${need}`);
  w.setIn(
    ['jobs', job, 'needs'],
    names.filter((name) => name !== need),
  );
};
/** One edit inside a scalar (a run: block, an input), failing loudly when the text is not there. */
const change = (path: (w: Document) => Path, from: string | RegExp, to: string) => (w: Document) => {
  const before = String(w.getIn(path(w)));
  const after = before.replace(from, to);
  if (after === before) throw new Error(`${String(from)} not in ${path(w).join('.')}`);
  w.setIn(path(w), after);
};

const BUILD_STEP = (w: Document) => [...step(w, 'build', using('docker/build-push-action')), 'with'];
const SCAN_GATE = (job: string) => (w: Document) => [...step(w, job, named('Trivy gate')), 'with'];
const REBUILD = (w: Document) => [...step(w, 'reproducible', named('second build')), 'run'];
const SMOKE = (w: Document) => [...step(w, 'smoke-arm64', named('pull and run')), 'run'];
const TAGGING = (w: Document) => step(w, 'publish', named('point the tags'));
const PUBLISH_META = (w: Document) => [...step(w, 'publish', using('docker/metadata-action')), 'with'];
const SIGNING = (w: Document) => step(w, 'sign', named('sign the proven digests'));
const RELEASE_IF =
  "github.event_name == 'push' && (github.ref == 'refs/heads/main' || startsWith(github.ref, 'refs/tags/v'))";

export const MUTATIONS: Mutation[] = [
  {
    promise: 'built-once',
    mutation: 'the build also pushes a tag',
    caughtBy: 'built-once-pushed-by-digest',
    edit: set((w) => [...BUILD_STEP(w), 'tags'], 'ghcr.io/o/r:edge'),
  },
  {
    promise: 'built-once',
    mutation: 'push-by-digest dropped from the outputs',
    caughtBy: 'built-once-pushed-by-digest',
    edit: change((w) => [...BUILD_STEP(w), 'outputs'], 'push-by-digest=true,', ''),
  },
  {
    promise: 'both-platforms',
    mutation: 'the build for linux/amd64 only',
    caughtBy: 'both-platforms',
    edit: set((w) => [...BUILD_STEP(w), 'platforms'], 'linux/amd64'),
  },
  {
    promise: 'both-platforms',
    mutation: 'the rebuild for linux/amd64 only',
    caughtBy: 'both-platforms',
    edit: change(REBUILD, '--platform linux/amd64,linux/arm64', '--platform linux/amd64'),
  },
  {
    promise: 'both-platforms',
    mutation: 'Trivy on amd64 only',
    caughtBy: 'trivy-on-every-platform',
    edit: set(() => ['jobs', 'scan-images', 'strategy', 'matrix', 'arch'], ['amd64']),
  },
  {
    promise: 'both-platforms',
    mutation: 'the arm64 smoke run on an amd64 runner',
    caughtBy: 'both-platforms',
    edit: set(() => ['jobs', 'smoke-arm64', 'runs-on'], 'ubuntu-24.04'),
  },
  {
    promise: 'digest-to-every-check',
    mutation: 'the Trivy gate scanning the slim digest in the distroless leg too',
    caughtBy: 'each-leg-its-own-digest',
    edit: change((w) => [...SCAN_GATE('scan-images')(w), 'image-ref'], 'outputs[matrix.variant]', 'outputs.slim'),
  },
  {
    promise: 'digest-to-every-check',
    mutation: 'sign given the slim digest for distroless',
    caughtBy: 'each-leg-its-own-digest',
    edit: set((w) => [...SIGNING(w), 'env', 'DISTROLESS'], '${{ needs.build.outputs.slim }}'),
  },
  {
    promise: 'digest-to-every-check',
    mutation: "the build's distroless output wired to the slim digest",
    caughtBy: 'each-leg-its-own-digest',
    edit: set(() => ['jobs', 'build', 'outputs', 'distroless'], '${{ steps.digest.outputs.slim }}'),
  },
  {
    promise: 'digest-to-every-check',
    mutation: 'a scan that does not wait for the build',
    caughtBy: 'digest-consumers-need-build',
    edit: remove(() => ['jobs', 'scan-images', 'needs']),
  },
  {
    promise: 'suite-on-the-digest',
    mutation: 'the suite builds its own images (IMAGES_PREBUILT dropped)',
    caughtBy: 'images-on-real-bases',
    edit: remove((w) => [...step(w, 'images', named('image suite')), 'env', 'IMAGES_PREBUILT']),
  },
  {
    promise: 'suite-on-the-digest',
    mutation: 'the image suite allowed to fail',
    caughtBy: 'failures-fail',
    edit: set((w) => [...step(w, 'images', named('image suite')), 'continue-on-error'], true),
  },
  {
    promise: 'trivy-gates',
    mutation: "the image gate's exit-code removed",
    caughtBy: 'trivy-gates-gate',
    edit: remove((w) => [...SCAN_GATE('scan-images')(w), 'exit-code']),
  },
  {
    promise: 'trivy-gates',
    mutation: 'the lockfile gate exits 0',
    caughtBy: 'trivy-gates-gate',
    edit: set((w) => [...SCAN_GATE('scan-lockfile')(w), 'exit-code'], '0'),
  },
  {
    promise: 'trivy-gates',
    mutation: 'the image gate on CRITICAL only',
    caughtBy: 'trivy-gates-gate',
    edit: set((w) => [...SCAN_GATE('scan-images')(w), 'severity'], 'CRITICAL'),
  },
  {
    promise: 'trivy-gates',
    mutation: 'the image gate only after a failure',
    caughtBy: 'trivy-gates-gate',
    edit: set((w) => [...step(w, 'scan-images', named('Trivy gate')), 'if'], 'failure()'),
  },
  {
    promise: 'trivy-gates',
    mutation: 'the image gate with continue-on-error',
    caughtBy: 'failures-fail',
    edit: set((w) => [...step(w, 'scan-images', named('Trivy gate')), 'continue-on-error'], true),
  },
  {
    promise: 'trivy-gates',
    mutation: 'the lockfile gate scanning another file than the report',
    caughtBy: 'trivy-gates-gate',
    edit: set((w) => [...SCAN_GATE('scan-lockfile')(w), 'scan-ref'], 'package.json'),
  },
  {
    promise: 'trivy-gates',
    mutation: 'the ignore file dropped from a gate',
    caughtBy: 'trivy-gates-read-the-ignore-file',
    edit: remove((w) => [...SCAN_GATE('scan-images')(w), 'trivyignores']),
  },
  {
    promise: 'reproducible',
    mutation: '|| true after the rebuild compare',
    caughtBy: 'failures-fail',
    edit: change(REBUILD, 'same-platforms.sh pushed.json rebuild', 'same-platforms.sh pushed.json rebuild || true'),
  },
  {
    promise: 'reproducible',
    mutation: 'the rebuild reads the cache',
    caughtBy: 'reproducible-images',
    edit: change(REBUILD, '--no-cache ', ''),
  },
  {
    promise: 'reproducible',
    mutation: 'the reproducible job allowed to fail',
    caughtBy: 'failures-fail',
    edit: set(() => ['jobs', 'reproducible', 'continue-on-error'], true),
  },
  {
    promise: 'sign-after-checks',
    mutation: 'if: always() on sign',
    caughtBy: 'release-after-every-check-passed',
    edit: set(() => ['jobs', 'sign', 'if'], `always() && ${RELEASE_IF}`),
  },
  {
    promise: 'sign-after-checks',
    mutation: 'sign when nothing was cancelled, failed or not',
    caughtBy: 'release-after-every-check-passed',
    edit: set(() => ['jobs', 'sign', 'if'], `\${{ !cancelled() && ${RELEASE_IF} }}`),
  },
  {
    promise: 'sign-after-checks',
    mutation: 'sign without waiting for the rebuild',
    caughtBy: 'release-after-every-check-passed',
    edit: withoutNeed('sign', 'reproducible'),
  },
  {
    promise: 'release-from-main-and-tags',
    mutation: "sign's if: removed (signs pull requests' images)",
    caughtBy: 'release-after-every-check-passed',
    edit: remove(() => ['jobs', 'sign', 'if']),
  },
  {
    promise: 'release-from-main-and-tags',
    mutation: 'publish on main and tags even when sign or the arm64 run failed',
    caughtBy: 'release-after-every-check-passed',
    edit: set(() => ['jobs', 'publish', 'if'], `always() && ${RELEASE_IF}`),
  },
  {
    promise: 'both-platforms',
    mutation: 'the smoke run pulls the amd64 image',
    caughtBy: 'both-platforms',
    edit: change(SMOKE, '--platform linux/arm64', '--platform linux/amd64'),
  },
  {
    promise: 'digest-to-every-check',
    mutation: 'the smoke run pulls by tag',
    caughtBy: 'images-by-digest-only',
    edit: set(
      (w) => [...step(w, 'smoke-arm64', named('pull and run')), 'env', 'REF'],
      '${{ needs.build.outputs.image }}:sha-${{ github.sha }}',
    ),
  },
  {
    promise: 'sign-after-checks',
    mutation: 'sign without waiting for the arm64 run',
    caughtBy: 'release-after-every-check-passed',
    edit: withoutNeed('sign', 'smoke-arm64'),
  },
  {
    promise: 'tags-on-signed',
    mutation: 'the signature check before tagging dropped',
    caughtBy: 'tags-on-a-verified-signature',
    edit: remove((w) => step(w, 'publish', named('verify the signature'))),
  },
  {
    promise: 'tags-on-signed',
    mutation: 'the signature verified after the tags are out',
    caughtBy: 'tags-on-a-verified-signature',
    edit: (w) => {
      const verify = step(w, 'publish', named('verify the signature'));
      const moved = w.getIn(verify);
      w.deleteIn(verify);
      (w.getIn(['jobs', 'publish', 'steps']) as { add: (item: unknown) => void }).add(moved);
    },
  },
  {
    promise: 'tags-last',
    mutation: 'publish without waiting for the signature',
    caughtBy: 'tags-published-last',
    edit: set(() => ['jobs', 'publish', 'needs'], ['build']),
  },
  {
    promise: 'tags-last',
    mutation: 'the tags not read back',
    caughtBy: 'tags-read-back',
    edit: change(
      (w) => [...TAGGING(w), 'run'],
      /lab\/release\/publish-tags\.sh .*/,
      'for tag in "${refs[@]}"; do crane copy "$IMAGE@$DIGEST" "$tag"; done',
    ),
  },
  {
    promise: 'tags-last',
    mutation: '|| true after a tag read back',
    caughtBy: 'failures-fail',
    edit: change((w) => [...TAGGING(w), 'run'], '"${refs[@]}"', '"${refs[@]}" || true'),
  },
  {
    promise: 'tags-last',
    mutation: "publish given the other variant's digest",
    caughtBy: 'each-leg-its-own-digest',
    edit: set((w) => [...TAGGING(w), 'env', 'DIGEST'], '${{ needs.build.outputs.slim }}'),
  },
  {
    promise: 'semver-tags',
    mutation: 'the semver check on release tags dropped',
    caughtBy: 'semver-release-tags',
    edit: change(
      (w) => [...step(w, 'build', (s) => s.get('id') === 'source'), 'run'],
      /\s+\[\[ \$REF_NAME =~ \$semver \]\][^\n]*/,
      '',
    ),
  },
  {
    promise: 'semver-tags',
    mutation: 'a semver check that lets v1.2 through',
    caughtBy: 'semver-release-tags',
    edit: change(
      (w) => [...step(w, 'build', (s) => s.get('id') === 'source'), 'run'],
      '\\.(0|[1-9][0-9]*)(-',
      '(\\.(0|[1-9][0-9]*))?(-',
    ),
  },
  {
    promise: 'tag-scheme',
    mutation: 'latest=false dropped',
    caughtBy: 'tag-scheme',
    edit: remove((w) => [...PUBLISH_META(w), 'flavor']),
  },
  {
    promise: 'tag-scheme',
    mutation: 'the variant tag on every ref, release runs too',
    caughtBy: 'tag-scheme',
    edit: change((w) => [...PUBLISH_META(w), 'tags'], ',enable={{is_default_branch}}\n', '\n'),
  },
  {
    promise: 'tag-scheme',
    mutation: 'a semver tag without the variant suffix',
    caughtBy: 'tag-scheme',
    edit: change(
      (w) => [...PUBLISH_META(w), 'tags'],
      'pattern={{version}},suffix=-${{ matrix.variant }}',
      'pattern={{version}}',
    ),
  },
  {
    promise: 'legs-independent',
    mutation: 'the publish matrix fails fast',
    caughtBy: 'matrix-legs-independent',
    edit: remove(() => ['jobs', 'publish', 'strategy', 'fail-fast']),
  },
  {
    promise: 'forks-not-pushed',
    mutation: "the image suite runs on a fork's unpushed images",
    caughtBy: 'checks-skip-unpushed-images',
    edit: remove(() => ['jobs', 'images', 'if']),
  },
  {
    promise: 'forks-not-pushed',
    mutation: 'the rebuild compare runs whatever the build pushed',
    caughtBy: 'checks-skip-unpushed-images',
    edit: set(() => ['jobs', 'reproducible', 'if'], "needs.build.outputs.pushed != ''"),
  },
  {
    promise: 'pinned',
    mutation: 'BuildKit by tag',
    caughtBy: 'tool-images-by-digest',
    edit: change(() => ['env', 'BUILDKIT_IMAGE'], /@sha256:[0-9a-f]{64}/, ''),
  },
  {
    promise: 'pinned',
    mutation: "the rebuild on setup-buildx's default BuildKit",
    caughtBy: 'one-buildkit',
    edit: remove((w) => [...step(w, 'reproducible', using('docker/setup-buildx-action')), 'with', 'driver-opts']),
  },
  {
    promise: 'pinned',
    mutation: 'an action by tag',
    caughtBy: 'pinned-actions',
    edit: change((w) => [...SIGNING(w).slice(0, 3), 0, 'uses'], /@[0-9a-f]{40}/, '@v4'),
  },
  {
    promise: 'least-privilege',
    mutation: 'the image suite may write packages',
    caughtBy: 'least-privilege',
    edit: set(() => ['jobs', 'images', 'permissions', 'packages'], 'write'),
  },
  {
    promise: 'least-privilege',
    mutation: 'publish may ask for an OIDC token',
    caughtBy: 'least-privilege',
    edit: set(() => ['jobs', 'publish', 'permissions', 'id-token'], 'write'),
  },
  {
    promise: 'no-shared-cache',
    mutation: 'the build reads the gha cache',
    caughtBy: 'no-shared-cache-when-publishing',
    edit: set((w) => [...BUILD_STEP(w), 'cache-from'], 'type=gha'),
  },
  {
    promise: 'attestations',
    mutation: 'provenance downgraded to min',
    caughtBy: 'attestations',
    edit: set((w) => [...BUILD_STEP(w), 'provenance'], 'mode=min'),
  },
  {
    promise: 'attestations',
    mutation: "the SBOM made by BuildKit's default scanner, a moving tag",
    caughtBy: 'attestations',
    edit: set((w) => [...BUILD_STEP(w), 'sbom'], true),
  },
  {
    promise: 'attestations',
    mutation: 'no SBOM',
    caughtBy: 'attestations',
    edit: remove((w) => [...BUILD_STEP(w), 'sbom']),
  },
  {
    promise: 'attestations',
    mutation: 'annotations computed but not passed',
    caughtBy: 'index-annotations',
    edit: remove((w) => [...BUILD_STEP(w), 'annotations']),
  },
  {
    promise: 'timestamps-from-commit',
    mutation: "SOURCE_DATE_EPOCH left to the builder's clock",
    caughtBy: 'reproducible-images',
    edit: change((w) => [...BUILD_STEP(w), 'build-args'], /SOURCE_DATE_EPOCH=[^\n]*\n/, ''),
  },
  {
    promise: 'timestamps-from-commit',
    mutation: 'layer times not rewritten',
    caughtBy: 'reproducible-images',
    edit: change((w) => [...BUILD_STEP(w), 'outputs'], ',rewrite-timestamp=true', ''),
  },
];
