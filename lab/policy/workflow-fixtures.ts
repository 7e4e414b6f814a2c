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

  it.each(fixtures.map((fixture) => [fixture.rule, fixture.defect, fixture] as const))(
    '%s fires on %s, and no other rule does',
    (ruleId, _defect, { from, to }) => {
      const bad = text.replace(from, to);
      expect(bad, 'the defect must change the file').not.toBe(text);
      const workflow = parseWorkflow(bad);
      const fired = [...WORKFLOW_RULES, ...RELEASE_RULES]
        .filter((rule) => rule.check(workflow).length > 0)
        .map((rule) => rule.id);
      expect(fired).toEqual([ruleId]);
    },
  );
}
