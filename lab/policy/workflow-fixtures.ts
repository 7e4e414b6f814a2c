import { expect, it } from 'vitest';
import { RELEASE_RULES } from './release-rules.ts';
import { parseWorkflow, WORKFLOW_RULES, type WorkflowRule } from './workflow-rules.ts';

/** The real workflow with one defect, to show a rule fires on a near miss. */
export interface WorkflowFixture {
  rule: string;
  defect: string;
  from: string | RegExp;
  to: string;
}

/**
 * The workflow as Renovate would leave it after bumping every pinned action and image: each commit SHA and
 * digest another, each release one patch later. A fixture must not depend on today's pins.
 */
function renovateBump(text: string): string {
  const other = (hex: string) =>
    hex.replace(/[0-9a-f]/g, (digit) => ((Number.parseInt(digit, 16) + 1) % 16).toString(16));
  return text
    .replace(
      /@([0-9a-f]{40}) # v(\d+)\.(\d+)\.(\d+)/g,
      (_match, sha: string, major: string, minor: string, patch: string) =>
        `@${other(sha)} # v${major}.${minor}.${String(Number(patch) + 1)}`,
    )
    .replace(/@sha256:([0-9a-f]{64})/g, (_match, digest: string) => `@sha256:${other(digest)}`);
}

/**
 * The tests every set of workflow rules gets: each rule holds on the real workflow, each has a fixture, and
 * each fixture makes its rule fire and no other rule, of this set or any other.
 */
export function testRules(text: string, rules: WorkflowRule[], fixtures: WorkflowFixture[]): void {
  it.each(rules.map((rule) => [rule.id, rule] as const))('follows %s', (_id, rule) => {
    expect(rule.check(parseWorkflow(text)), rule.why).toEqual([]);
  });

  it('has a fixture for every rule', () => {
    const covered = new Set(fixtures.map((fixture) => fixture.rule));
    expect(rules.map((rule) => rule.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  const bumped = renovateBump(text);
  it('bumps every pin when Renovate does', () => {
    expect(bumped).not.toBe(text);
    expect(bumped.match(/@[0-9a-f]{40} # v/g)?.length).toBe(text.match(/@[0-9a-f]{40} # v/g)?.length);
  });

  it.each(
    fixtures.flatMap((fixture) => [
      [fixture.rule, fixture.defect, 'today', text, fixture] as const,
      [fixture.rule, fixture.defect, 'after a Renovate bump', bumped, fixture] as const,
    ]),
  )('%s fires on %s, and no other rule does (pins as %s)', (ruleId, _defect, _pins, workflowText, { from, to }) => {
    const bad = workflowText.replace(from, to);
    expect(bad, 'the defect must change the file').not.toBe(workflowText);
    const workflow = parseWorkflow(bad);
    const fired = [...WORKFLOW_RULES, ...RELEASE_RULES]
      .filter((rule) => rule.check(workflow).length > 0)
      .map((rule) => rule.id);
    expect(fired).toEqual([ruleId]);
  });
}
