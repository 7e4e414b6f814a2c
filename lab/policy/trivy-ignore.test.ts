import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRIVY_IGNORE_FILE, trivyIgnoreProblems } from './trivy-ignore.ts';

// The rules run on an injected day, so each fixture below gives the same verdict on any day it runs.
const TODAY = '2026-06-15';

describe(TRIVY_IGNORE_FILE, () => {
  // The one check on the real clock, on purpose: an acceptance that has run out must fail the build on the
  // day it runs out, whatever day that is.
  it('gives every accepted finding a reason and an expiry date that has not passed', () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(trivyIgnoreProblems(readFileSync(TRIVY_IGNORE_FILE, 'utf8'), today)).toEqual([]);
  });

  it('accepts an entry with a reason and an expiry within the year', () => {
    const text = [
      'vulnerabilities:',
      '  - id: CVE-2026-0001',
      '    purls: ["pkg:deb/debian/libexample@1.0"]',
      '    statement: only reachable through a codec the app never loads',
      '    expired_at: 2026-09-30',
      'misconfigurations:',
    ].join('\n');
    expect(trivyIgnoreProblems(text, TODAY)).toEqual([]);
  });

  const entry = (...lines: string[]) => [
    'vulnerabilities:',
    '  - id: CVE-2026-0001',
    ...lines.map((line) => `    ${line}`),
  ];
  const named = 'vulnerabilities[0] (CVE-2026-0001)';

  it.each([
    ['an entry without a reason', entry('expired_at: 2026-09-30'), `${named} has no statement (its reason)`],
    [
      'an entry with a blank reason',
      entry('statement: " "', 'expired_at: 2026-09-30'),
      `${named} has no statement (its reason)`,
    ],
    ['an entry without an expiry date', entry('statement: not reachable'), `${named} has no expired_at`],
    [
      'an entry past its date',
      entry('statement: not reachable', 'expired_at: 2026-06-14'),
      `${named} expired on 2026-06-14`,
    ],
    [
      'an entry ending today',
      entry('statement: not reachable', 'expired_at: 2026-06-15'),
      `${named} expired on 2026-06-15`,
    ],
    [
      'an expiry that is not a date',
      entry('statement: not reachable', 'expired_at: 2026-02-30'),
      `${named}: expired_at 2026-02-30 is not a YYYY-MM-DD date`,
    ],
    [
      'an expiry years ahead',
      entry('statement: not reachable', 'expired_at: 2099-01-01'),
      `${named}: expired_at 2099-01-01 is more than 366 days after 2026-06-15`,
    ],
  ])('notices %s', (_case, lines, problem) => {
    expect(trivyIgnoreProblems(lines.join('\n'), TODAY)).toEqual([problem]);
  });

  it('notices an entry without an id, and a section Trivy does not read', () => {
    const text =
      'vulnerability:\n  - id: CVE-2026-0001\nsecrets:\n  - statement: a test key\n    expired_at: 2026-09-30\n';
    expect(trivyIgnoreProblems(text, TODAY)).toEqual([
      'vulnerability is not a section Trivy reads (vulnerabilities, misconfigurations, secrets, licenses)',
      'secrets[0] has no id',
    ]);
  });
});
