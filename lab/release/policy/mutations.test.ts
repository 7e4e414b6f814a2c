import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { RELEASE_RULES } from '../../policy/release-rules.ts';
import { parseWorkflow, WORKFLOW_RULES } from '../../policy/workflow-rules.ts';
import { MUTATIONS, PROMISES } from './mutations.ts';
import { RELEASE_PROMISES } from './release-promises.ts';

const CI_YML = readFileSync('.github/workflows/ci.yml', 'utf8');
const RULES = [...WORKFLOW_RULES, ...RELEASE_RULES, ...RELEASE_PROMISES];

function mutated(edit: (typeof MUTATIONS)[number]['edit']): string {
  const workflow = parseDocument(CI_YML);
  edit(workflow);
  return workflow.toString({ lineWidth: 0 });
}
const firing = (text: string) => {
  const workflow = parseWorkflow(text);
  return RULES.filter((rule) => rule.check(workflow).length > 0).map((rule) => rule.id);
};

describe('the mutation table of .github/workflows/ci.yml', () => {
  it('starts from a workflow every rule passes, after the same parse and print', () => {
    expect(firing(mutated(() => undefined))).toEqual([]);
  });

  it.each(MUTATIONS.map((row) => [row.promise, row.mutation, row] as const))(
    '%s: %s, caught',
    (_promise, _mutation, row) => {
      const text = mutated(row.edit);
      expect(text, 'the edit must change the workflow').not.toBe(mutated(() => undefined));
      expect(firing(text)).toContain(row.caughtBy);
    },
  );

  it('has a row for every promise, and at least as many rows as promises', () => {
    const covered = new Set(MUTATIONS.map((row) => row.promise));
    expect(Object.keys(PROMISES).filter((promise) => !covered.has(promise as keyof typeof PROMISES))).toEqual([]);
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(Object.keys(PROMISES).length);
  });

  it('names only rules that exist, and every rule written for it is tripped by a row', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(MUTATIONS.map((row) => row.caughtBy).filter((id) => !ids.includes(id))).toEqual([]);
    const tripped = new Set(MUTATIONS.map((row) => row.caughtBy));
    expect(RELEASE_PROMISES.map((rule) => rule.id).filter((id) => !tripped.has(id))).toEqual([]);
  });
});
