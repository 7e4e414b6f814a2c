import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// npm run lint's hadolint step, run as lint runs it: the real hadolint, the workflow's version.
const lint = (...files: string[]) => spawnSync('bash', ['lab/release/hadolint.sh', ...files], { encoding: 'utf8' });

describe('hadolint (npm run lint)', () => {
  it('passes both Dockerfiles', () => {
    const result = lint();
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Dockerfile distroless.Dockerfile clean');
    expect(result.status).toBe(0);
  });

  // One line of the fixture per rule that replaced a hand-written one, or that guards a promise the policy
  // tests no longer repeat: each must be named by hadolint's own code, at its line.
  it.each([
    [2, 'DL3007', 'a latest tag'],
    [2, 'DL3026', 'a base from a registry .hadolint.yaml does not trust'],
    [3, 'DL3045', 'a relative COPY before any WORKDIR'],
    [4, 'DL3020', 'ADD for a plain file'],
    [5, 'DL4006', 'a pipe without pipefail'],
    [6, 'DL3002', 'root as the last USER'],
    [7, 'DL3025', 'a shell-form CMD'],
    [2, 'DL3049', 'a stage without the OCI labels'],
  ])('fails the bad fixture at line %i with %s (%s)', (line, code) => {
    const result = lint('lab/release/fixtures/bad.Dockerfile');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^lab/release/fixtures/bad\\.Dockerfile:${line} ${code} `, 'm'));
  });
});
