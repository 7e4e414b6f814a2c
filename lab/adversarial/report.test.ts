import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ADVERSARIAL_DOC,
  ADVERSARIAL_REPORT,
  missed,
  renderAdversarial,
  type AdversarialReport,
  type Row,
} from './report.ts';

const report = JSON.parse(readFileSync(ADVERSARIAL_REPORT, 'utf8')) as AdversarialReport;

const MET: Row = {
  shape: 'a shape',
  target: 'slim',
  memoryMiB: 128,
  maxConnections: 786,
  attack: { opened: 10, closedByServer: 10 },
  recoveryMs: 20,
  polite: { tried: 80, answered: 80 },
  probes: { tried: 9, answered: 9 },
  oomKills: 0,
  heapAborts: 0,
  restarts: 0,
  peakMiB: 40,
};

describe('the adversarial report', () => {
  it(`is what ${ADVERSARIAL_DOC} shows (else: node lab/adversarial/report.ts)`, () => {
    expect(readFileSync(ADVERSARIAL_DOC, 'utf8')).toBe(renderAdversarial(report));
  });

  it.each<[string, Partial<Row>, string]>([
    ['a heap abort', { heapAborts: 1 }, '1 heap abort(s)'],
    ['an OOM kill', { oomKills: 1 }, '1 OOM kill(s)'],
    ['a restart', { restarts: 1 }, '1 restart(s)'],
    ['a peak over the limit', { peakMiB: 129 }, 'peak over the limit'],
    ['a recovery over a second', { recoveryMs: 1_001 }, 'slow recovery'],
    ['no recovery at all', { recoveryMs: undefined }, 'slow recovery'],
    ['one probe missed', { probes: { tried: 9, answered: 8 } }, 'probes missed'],
    ['the polite client under 90 %', { polite: { tried: 100, answered: 89 } }, 'polite client under 90 %'],
  ])('names each target a row misses: %s', (_case, change, miss) => {
    expect(missed(MET)).toEqual([]);
    expect(missed({ ...MET, ...change })).toEqual([miss]);
  });
});
