import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELEASE_RULES, sbomScanStageProblems } from './release-rules.ts';
import { testRules, type WorkflowFixture } from './workflow-fixtures.ts';

const CI_YML = readFileSync('.github/workflows/ci.yml', 'utf8');

// The real workflow with one defect each, to show each release rule fires on a near miss.
const FIXTURES: WorkflowFixture[] = [
  {
    rule: 'built-once-pushed-by-digest',
    defect: 'the scan job building its own image again',
    from: /( {4}steps:\n {6}- uses: actions\/checkout@[0-9a-f]{40} # v[\d.]+\n {8}with:\n {10}persist-credentials: false\n)( {6}- uses: docker\/login-action@[0-9a-f]{40} # v[\d.]+\n {8}with:\n {10}registry: ghcr\.io\n)/,
    to: '$1      - uses: docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a # v7.3.0\n        with:\n          context: .\n$2',
  },
  {
    rule: 'built-once-pushed-by-digest',
    defect: 'a build that pushes tags',
    from: '          platforms: linux/amd64,linux/arm64\n',
    to: '          platforms: linux/amd64,linux/arm64\n          tags: ${{ steps.source.outputs.image }}:${{ matrix.variant }}\n',
  },
  {
    rule: 'built-once-pushed-by-digest',
    defect: 'the second build pushing what it made',
    from: '--output type=oci,dest=rebuild,tar=false,rewrite-timestamp=true',
    to: '--push --output type=oci,dest=rebuild,tar=false,rewrite-timestamp=true',
  },
  {
    rule: 'digest-consumers-need-build',
    defect: 'a scan that does not wait for the build',
    from: '  scan-images:\n    needs: build\n',
    to: '  scan-images:\n',
  },
  {
    rule: 'images-by-digest-only',
    defect: 'the arm64 smoke run pulling a shared tag',
    from: /(smoke-arm64:[\s\S]*?REF: \$\{\{ needs\.build\.outputs\.image \}\})@\$\{\{ needs\.build\.outputs\[matrix\.variant\] \}\}/,
    to: '$1:sha-${{ github.sha }}-${{ matrix.variant }}',
  },
  {
    rule: 'images-by-digest-only',
    defect: 'the image suite pulling by tag',
    from: 'ref="$IMAGE@${pair#*=}"',
    to: 'ref="$IMAGE:${pair%%=*}"',
  },
  {
    rule: 'tags-published-last',
    defect: 'tags published before the signature',
    from: '    needs: [build, sign]\n',
    to: '    needs: build\n',
  },
  {
    rule: 'tags-published-last',
    defect: 'the build job tagging',
    from: '          echo "$VARIANT=$DIGEST" >> "$GITHUB_OUTPUT"\n',
    to: '          echo "$VARIANT=$DIGEST" >> "$GITHUB_OUTPUT"\n          docker buildx imagetools create --tag "$IMAGE:$VARIANT" "$IMAGE@$DIGEST"\n',
  },
  {
    rule: 'matrix-legs-independent',
    defect: 'a build matrix with the default fail-fast',
    from: '      packages: write\n    strategy:\n      fail-fast: false\n',
    to: '      packages: write\n    strategy:\n',
  },
  {
    rule: 'no-shared-cache-when-publishing',
    defect: 'the build reading the gha cache',
    from: '          provenance: mode=max\n',
    to: '          provenance: mode=max\n          cache-from: type=gha,scope=${{ matrix.variant }}\n',
  },
  {
    rule: 'no-shared-cache-when-publishing',
    defect: 'buildx installed through the gha cache',
    from: '          cache-binary: false\n',
    to: '',
  },
  {
    rule: 'reproducible-images',
    defect: "SOURCE_DATE_EPOCH left to the builder's clock",
    from: '            SOURCE_DATE_EPOCH=${{ steps.source.outputs.epoch }}\n',
    to: '',
  },
  {
    rule: 'reproducible-images',
    defect: 'layer times not rewritten',
    from: 'push=${{ steps.source.outputs.push }},rewrite-timestamp=true',
    to: 'push=${{ steps.source.outputs.push }}',
  },
  {
    rule: 'reproducible-images',
    defect: 'no second build to compare with',
    from: 'lab/release/same-platforms.sh pushed.json rebuild',
    to: 'jq . rebuild/index.json',
  },
  {
    rule: 'trivy-on-every-platform',
    defect: 'Trivy on amd64 only',
    from: 'arch: [amd64, arm64]',
    to: 'arch: [amd64]',
  },
  {
    rule: 'trivy-gates-read-the-ignore-file',
    defect: 'a gate that does not read the ignore file',
    from: '          trivyignores: .trivyignore.yaml\n',
    to: '',
  },
  {
    rule: 'tool-images-by-digest',
    defect: 'hadolint by tag',
    from: /(HADOLINT_IMAGE: ghcr\.io\/hadolint\/hadolint:v[\d.]+)@sha256:[0-9a-f]{64}/,
    to: '$1',
  },
  {
    rule: 'index-annotations',
    defect: 'annotations computed but not passed',
    from: '          annotations: ${{ steps.meta.outputs.annotations }}\n',
    to: '',
  },
  {
    rule: 'failures-leave-evidence',
    defect: 'no report from a failed image suite',
    from: '      - if: always()\n        uses: actions/upload-artifact',
    to: '      - uses: actions/upload-artifact',
  },
  {
    rule: 'failures-leave-evidence',
    defect: 'a failed smoke run without its log',
    from: "      - name: the container's log, when the smoke run failed\n        if: failure()\n        run: docker logs smoke\n",
    to: '',
  },
];

describe('the release in .github/workflows/ci.yml', () => {
  testRules(CI_YML, RELEASE_RULES, FIXTURES);
});

describe('the SBOM lists the npm packages of the build stage', () => {
  const DOCKERFILES = ['Dockerfile', 'distroless.Dockerfile'];

  it.each(DOCKERFILES)('%s declares BUILDKIT_SBOM_SCAN_STAGE in its build stage', (file) => {
    expect(sbomScanStageProblems(file, readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('notices a build stage without it', () => {
    const text = readFileSync('Dockerfile', 'utf8').replace('ARG BUILDKIT_SBOM_SCAN_STAGE=true\n', '');
    expect(sbomScanStageProblems('Dockerfile', text)).toEqual([
      "Dockerfile's build stage does not declare ARG BUILDKIT_SBOM_SCAN_STAGE=true",
    ]);
  });
});
