import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONNECTION_COST_FILE, type ConnectionCostReport, type ConnectionCostResult } from './connection-cost.ts';
import { connectionBudgetProblems, memoryFloorProblems } from './budgets.ts';
import { memoryFloorMiB } from './overload/matrix.ts';
import { REPORT_FILE, type BenchReport } from './report.ts';
import { MEMORY_FLOOR_MIB } from '../../src/lifecycle/connection-limits.ts';
import { nodeOptionsOf } from '../../test/images/support/pins.ts';

// The connection limit (src/lifecycle/connection-limits.ts) is computed from budgets per connection and for
// the process itself; `node lab/bench/connection-cost.ts` (and `npm run bench`) measures what they really are. Lowering a budget below the committed
// measurement, or giving V8 a larger young generation without budgeting for it, fails here.
const bench = JSON.parse(readFileSync(REPORT_FILE, 'utf8')) as BenchReport;
const NODE_OPTIONS = nodeOptionsOf(readFileSync('Dockerfile', 'utf8')) ?? '';

const connectionCost = JSON.parse(readFileSync(CONNECTION_COST_FILE, 'utf8')) as ConnectionCostReport;

const MEASURED: ConnectionCostResult = {
  idle: { outsideHeapKiB: 8, heapKiB: 4, outsideHeapBaseMiB: 9, heapBaseMiB: 10 },
  inFlight: { outsideHeapKiB: 8, heapKiB: 13, outsideHeapBaseMiB: 9, heapBaseMiB: 10 },
  ceiling: { outsideHeapKiB: 9, heapKiB: 52, outsideHeapBaseMiB: 9, heapBaseMiB: 10 },
  healthProbeMiB: 15,
};

describe('the connection limit’s budgets', () => {
  it(`cover what ${CONNECTION_COST_FILE} measured, with the images’ young generation`, () => {
    expect(connectionBudgetProblems(connectionCost, NODE_OPTIONS)).toEqual([]);
  });

  it.each([
    [
      'a connection grown past 16 KiB outside the heap',
      { ...MEASURED, inFlight: { ...MEASURED.inFlight, outsideHeapKiB: 17 } },
      '--max-semi-space-size=2',
      ['a connection costs 17 KiB outside the heap: more than connection-limits.ts budgets'],
    ],
    [
      'a connection at its ceiling grown past 56 KiB of heap (a bound on what it may queue gone)',
      { ...MEASURED, ceiling: { ...MEASURED.ceiling, heapKiB: 300 } },
      '--max-semi-space-size=2',
      ['a connection costs 300 KiB of heap: more than connection-limits.ts budgets'],
    ],
    [
      'a heavier health probe',
      { ...MEASURED, healthProbeMiB: 25 },
      '--max-semi-space-size=2',
      [
        'outside the heap the process needs 9 MiB, the health probe 25 MiB, and the log buffer: more than connection-limits.ts budgets',
      ],
    ],
    [
      'a larger young generation',
      MEASURED,
      '--max-semi-space-size=4',
      ['the heap needs 10 MiB and 3 × 4 MB of young generation: more than connection-limits.ts budgets'],
    ],
  ])('fire on %s', (_case, cost, nodeOptions, problems) => {
    expect(connectionBudgetProblems(MEASURED, '--max-semi-space-size=2')).toEqual([]);
    expect(connectionBudgetProblems(cost, nodeOptions)).toEqual(problems);
  });
});

// compose.yaml and the Kubernetes manifests size their memory limits from MEMORY_FLOOR_MIB (the product's
// tests hold them to it); here the floor is held to what the committed benchmark measured.
describe('the memory floor', () => {
  it(`is what the committed benchmark measured, ${MEMORY_FLOOR_MIB} MiB`, () => {
    const floors = 'rows' in bench.images ? bench.images.rows.map((row) => memoryFloorMiB(row.overload)) : [];
    expect(memoryFloorProblems(floors, MEMORY_FLOOR_MIB)).toEqual([]);
  });

  it.each([
    [[96, 64], ['the images need 96 MiB, not the 64 MiB connection-limits.ts declares']],
    [[32, 32], ['the images need 32 MiB, not the 64 MiB connection-limits.ts declares']],
    [[undefined, 64], ['an image survived none of the limits the benchmark tried']],
    [[], ['the committed benchmark has no memory floors (npm run bench -- --images)']],
  ])('fires on measured floors %o', (floors, problems) => {
    expect(memoryFloorProblems(floors, 64)).toEqual(problems);
  });
});
