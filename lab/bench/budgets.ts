import {
  CONNECTION_BYTES,
  CONNECTION_HEAP_BYTES,
  RESERVED_BYTES,
  RESERVED_HEAP_BYTES,
} from '../../src/lifecycle/connection-limits.ts';
import { LOG_BUFFER_LIMIT_BYTES } from '../../src/observability/logger.ts';
import type { ConnectionCostResult } from './connection-cost.ts';

const MiB = 2 ** 20;

/** The images' young generation: --max-semi-space-size in their NODE_OPTIONS, in MiB (V8 keeps three). */
export function semiSpaceMiB(nodeOptions: string): number {
  return Number(/--max-semi-space-size=(\d+)/.exec(nodeOptions)?.[1] ?? Number.NaN);
}

/**
 * What a connection really costs, against what lifecycle/connection-limits.ts budgets for it: the connection
 * limit is only safe while every measured figure stays within its budget. Before the first connection the
 * process must also fit its young generation (V8 commits two semi-spaces and reserves a third) and the
 * 1 MiB log buffer.
 */
// Per connection, the most of the three runs (the ceiling, unless a bound stopped holding); before the first,
// from the idle run, which starts the app exactly as it ships (the others load the response-delay hook too).
export function connectionBudgetProblems(
  { idle, inFlight, ceiling, healthProbeMiB }: ConnectionCostResult,
  nodeOptions: string,
): string[] {
  const semi = semiSpaceMiB(nodeOptions);
  const outsideHeapKiB = Math.max(idle.outsideHeapKiB, inFlight.outsideHeapKiB, ceiling.outsideHeapKiB);
  const heapKiB = Math.max(idle.heapKiB, inFlight.heapKiB, ceiling.heapKiB);
  const outsideHeapBase = idle.outsideHeapBaseMiB + healthProbeMiB + LOG_BUFFER_LIMIT_BYTES / MiB;
  const checks: [boolean, string][] = [
    [outsideHeapKiB * 1024 <= CONNECTION_BYTES, `a connection costs ${outsideHeapKiB} KiB outside the heap`],
    [heapKiB * 1024 <= CONNECTION_HEAP_BYTES, `a connection costs ${heapKiB} KiB of heap`],
    [
      outsideHeapBase * MiB <= RESERVED_BYTES,
      `outside the heap the process needs ${idle.outsideHeapBaseMiB} MiB, the health probe ${healthProbeMiB} MiB, and the log buffer`,
    ],
    [
      (idle.heapBaseMiB + 3 * semi) * MiB <= RESERVED_HEAP_BYTES,
      `the heap needs ${idle.heapBaseMiB} MiB and 3 × ${semi} MB of young generation`,
    ],
  ];
  return checks.filter(([fits]) => !fits).map(([, problem]) => `${problem}: more than connection-limits.ts budgets`);
}

/**
 * The floor the product declares (MEMORY_FLOOR_MIB) must be the larger of the two images' measured floors
 * (npm run bench -- --images): the limits sized from it come from a measurement, not a guess.
 */
export function memoryFloorProblems(floorsMiB: (number | undefined)[], declaredMiB: number): string[] {
  if (floorsMiB.length === 0) return ['the committed benchmark has no memory floors (npm run bench -- --images)'];
  if (floorsMiB.some((floor) => floor === undefined))
    return ['an image survived none of the limits the benchmark tried'];
  const measured = Math.max(...(floorsMiB as number[]));
  return measured === declaredMiB
    ? []
    : [`the images need ${measured} MiB, not the ${declaredMiB} MiB connection-limits.ts declares`];
}
