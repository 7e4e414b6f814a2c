import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractDeps, type RenovateConfig } from '../policy/renovate-managers.ts';
import { parseWorkflow } from '../policy/workflow-rules.ts';

const CONFIG = JSON.parse(readFileSync('renovate.json', 'utf8')) as RenovateConfig;
const PINS = 'lab/release/pins.sh';
const ENV = parseWorkflow(readFileSync('.github/workflows/ci.yml', 'utf8')).env ?? {};

/** The variables lab/release/pins.sh sets, as the scripts that source it see them. */
function pins(): Record<string, string> {
  const names = ['HADOLINT_VERSION', 'BUILDKIT_VERSION', 'COSIGN_VERSION', 'COSIGN_MODULE', 'CRANE_VERSION'];
  const result = spawnSync('bash', ['-c', `source ${PINS} && for n in ${names.join(' ')}; do echo "$n=\${!n}"; done`], {
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return Object.fromEntries(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('=') as [string, string]),
  );
}

describe('the release tools run the versions the workflow pins', () => {
  it("reads hadolint, BuildKit and cosign from ci.yml's env:, so one Renovate update moves both", () => {
    const tag = (name: string) => /:(v[\d.]+)@/.exec(String(ENV[name]))?.[1];
    expect(pins()).toMatchObject({
      HADOLINT_VERSION: tag('HADOLINT_IMAGE')?.slice(1),
      BUILDKIT_VERSION: tag('BUILDKIT_IMAGE'),
      COSIGN_VERSION: ENV.COSIGN_VERSION,
      COSIGN_MODULE: `github.com/sigstore/cosign/v${String(ENV.COSIGN_VERSION).slice(1, 2)}`,
    });
  });

  it('leaves the Go modules pinned only in pins.sh to Renovate', () => {
    const deps = extractDeps(CONFIG, PINS, readFileSync(PINS, 'utf8'));
    expect(deps.map((dep) => [dep.depName, dep.currentValue, dep.datasource])).toEqual([
      ['github.com/google/go-containerregistry', pins().CRANE_VERSION, 'go'],
      ['github.com/anchore/syft', expect.stringMatching(/^v\d+\.\d+\.\d+$/), 'go'],
    ]);
  });
});
