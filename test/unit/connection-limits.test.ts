import { describe, expect, it } from 'vitest';
import { connectionLimits, MAX_PIPELINED, MAX_PIPELINED_BYTES } from '../../src/lifecycle/connection-limits.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** The same for every limit: what one connection may queue. */
const PIPELINING = { pipelined: MAX_PIPELINED, pipelinedBytes: MAX_PIPELINED_BYTES };

// Budgets: 16 KiB a connection outside the heap, 56 KiB in it (its ceiling); 27 MiB outside the heap and
// 18 MiB in it before the first connection.
describe('the connection limit', () => {
  it('is what the memory holds beside a heap that may fill to its limit, where that is less', () => {
    // 64 MiB, heap limit 34 MiB: (64 - 27 - 34) MiB / 16 KiB = 192; by heap (34 - 18) MiB / 56 KiB = 292.6
    expect(connectionLimits({ limitBytes: 64 * MiB, heapLimitBytes: 34 * MiB })).toEqual({
      max: 192,
      served: 172,
      ...PIPELINING,
    });
  });

  it('is what the heap holds, where that is less', () => {
    // 128 MiB, heap limit 54 MiB: by memory 3008; by heap (54 - 18) MiB / 56 KiB = 658.3
    expect(connectionLimits({ limitBytes: 128 * MiB, heapLimitBytes: 54 * MiB })).toEqual({
      max: 658,
      served: 592,
      ...PIPELINING,
    });
  });

  it('is 4096 where no memory limit is set, unless the heap holds fewer', () => {
    expect(connectionLimits({ limitBytes: undefined, heapLimitBytes: 9 * GiB })).toEqual({
      max: 4096,
      served: 3686,
      ...PIPELINING,
    });
    // (40 - 18) MiB / 56 KiB = 402.3
    expect(connectionLimits({ limitBytes: undefined, heapLimitBytes: 40 * MiB })).toEqual({
      max: 402,
      served: 361,
      ...PIPELINING,
    });
  });

  it('never goes below 64, however small the memory', () => {
    expect(connectionLimits({ limitBytes: 32 * MiB, heapLimitBytes: 8 * MiB })).toEqual({
      max: 64,
      served: 57,
      ...PIPELINING,
    });
  });

  it('is MAX_CONNECTIONS when that is set, whatever the memory', () => {
    expect(connectionLimits({ limitBytes: 64 * MiB, heapLimitBytes: 34 * MiB }, 50)).toEqual({
      max: 50,
      served: 45,
      ...PIPELINING,
    });
  });
});
