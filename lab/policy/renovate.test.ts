import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { extractDeps, pinOf, unmanagedPins, type RenovateConfig } from './renovate-managers.ts';
import { parseWorkflow } from './workflow-rules.ts';

const CONFIG = JSON.parse(readFileSync('renovate.json', 'utf8')) as RenovateConfig;
const CI = '.github/workflows/ci.yml';
const CI_YML = readFileSync(CI, 'utf8');
const ENV = parseWorkflow(CI_YML).env ?? {};

describe("renovate.json's regex managers on ci.yml", () => {
  const deps = extractDeps(CONFIG, CI, CI_YML);
  const variableOf = (matched: string) => /([A-Z][A-Z0-9_]*):/.exec(matched)?.[1];

  it('find the Node.js, the Trivy, the cosign and the three tool images that ci.yml pins in env:', () => {
    expect(deps.map((dep) => [variableOf(dep.matched), dep.depName, dep.datasource])).toEqual([
      ['NODE_VERSION', 'node', 'node-version'],
      ['TRIVY_VERSION', 'aquasecurity/trivy', 'github-releases'],
      ['COSIGN_VERSION', 'sigstore/cosign', 'github-releases'],
      ['HADOLINT_IMAGE', 'ghcr.io/hadolint/hadolint', 'docker'],
      ['BUILDKIT_IMAGE', 'moby/buildkit', 'docker'],
      ['SBOM_SCANNER_IMAGE', 'docker/buildkit-syft-scanner', 'docker'],
    ]);
  });

  it('read each pin whole: the version, and the digest where there is one', () => {
    for (const dep of deps) {
      const value = String(ENV[variableOf(dep.matched) ?? '']);
      expect(dep.currentDigest === undefined ? value : `${dep.depName}:${pinOf(dep)}`).toBe(value);
    }
    expect(deps.filter((dep) => dep.datasource === 'docker').every((dep) => dep.currentDigest !== undefined)).toBe(
      true,
    );
  });

  it('leave no pin in env: to a person', () => {
    expect(unmanagedPins(CONFIG, CI, CI_YML, ENV)).toEqual([]);
  });

  it.each([
    [
      'a new tool version nobody told Renovate about',
      '  NODE_VERSION: 24.21.0\n',
      '  NODE_VERSION: 24.21.0\n  SHELLCHECK_VERSION: 0.11.0\n',
      'SHELLCHECK_VERSION',
    ],
    [
      'a quoted Node version the match string misses',
      '  NODE_VERSION: 24.21.0\n',
      '  NODE_VERSION: "24.21.0"\n',
      'NODE_VERSION',
    ],
  ])('notice %s', (_case, from, to, variable) => {
    const text = CI_YML.replace(from, to);
    expect(text).not.toBe(CI_YML);
    expect(unmanagedPins(CONFIG, CI, text, parseWorkflow(text).env ?? {})).toEqual([variable]);
  });

  it('put the Node.js CI sets up in the Node.js runtime group, on Node 24', () => {
    const node = deps.find((dep) => dep.datasource === 'node-version');
    const rules = (CONFIG.packageRules ?? []).filter((rule) => rule.matchPackageNames?.includes(node?.depName ?? ''));
    expect(rules.some((rule) => rule.groupName === 'Node.js runtime')).toBe(true);
    expect(rules.some((rule) => rule.matchUpdateTypes?.includes('major') === true && rule.enabled === false)).toBe(
      true,
    );
  });
});

describe("renovate.json leaves the project's own image alone", () => {
  // The kustomize manager reads each overlay's newName as the dependency's name.
  const ownImages = (overlays: string[]) =>
    [
      ...new Set(
        overlays.flatMap(
          (text) => (parse(text) as { images?: { newName?: string }[] }).images?.flatMap((i) => i.newName ?? []) ?? [],
        ),
      ),
    ].sort();
  const notIgnored = (config: RenovateConfig, overlays: string[]) =>
    ownImages(overlays).filter((image) => !(config.ignoreDeps ?? []).includes(image));
  const OVERLAYS = globSync('deploy/kubernetes/overlays/*/kustomization.yaml').map((file) =>
    readFileSync(file, 'utf8'),
  );

  it('ignores the image the overlays deploy, by its full name', () => {
    expect(ownImages(OVERLAYS)).toEqual(['ghcr.io/owner/moscow-time']);
    expect(notIgnored(CONFIG, OVERLAYS)).toEqual([]);
  });

  it('notices an ignoreDeps entry by the short name, which the overlays never use', () => {
    expect(notIgnored({ ...CONFIG, ignoreDeps: ['moscow-time'] }, OVERLAYS)).toEqual(['ghcr.io/owner/moscow-time']);
  });
});
