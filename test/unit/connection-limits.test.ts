import { describe, expect, it } from 'vitest';
import { connectionLimits } from '../../src/lifecycle/connection-limits.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

// Budgets: 14 KiB a connection outside the heap, 16 KiB in it; 27 MiB outside the heap and 18 MiB in it
// before the first connection.
describe('the connection limit', () => {
  it('is what the memory holds beside a heap that may fill to its limit, where that is less', () => {
    // 64 MiB, heap limit 34 MiB (the images' flags: 43% and 3 × 2 MB): (64 - 27 - 34) MiB / 14 KiB = 219.4
    expect(connectionLimits({ limitBytes: 64 * MiB, heapLimitBytes: 34 * MiB })).toEqual({ max: 219, served: 197 });
    // 128 MiB, heap limit 80 MiB: (128 - 27 - 80) MiB / 14 KiB = 1536; by heap (80 - 18) MiB / 16 KiB = 3968
    expect(connectionLimits({ limitBytes: 128 * MiB, heapLimitBytes: 80 * MiB })).toEqual({
      max: 1536,
      served: 1382,
    });
  });

  it('is what the heap holds, where that is less', () => {
    // 128 MiB, heap limit 54 MiB: by memory 3437.7; by heap (54 - 18) MiB / 16 KiB = 2304
    expect(connectionLimits({ limitBytes: 128 * MiB, heapLimitBytes: 54 * MiB })).toEqual({
      max: 2304,
      served: 2073,
    });
  });

  it('is 4096 where no memory limit is set, unless the heap holds fewer', () => {
    expect(connectionLimits({ limitBytes: undefined, heapLimitBytes: 9 * GiB })).toEqual({ max: 4096, served: 3686 });
    expect(connectionLimits({ limitBytes: undefined, heapLimitBytes: 40 * MiB })).toEqual({ max: 1408, served: 1267 });
  });

  it('never goes below 64, however small the memory', () => {
    expect(connectionLimits({ limitBytes: 32 * MiB, heapLimitBytes: 8 * MiB })).toEqual({ max: 64, served: 57 });
  });

  it('is MAX_CONNECTIONS when that is set, whatever the memory', () => {
    expect(connectionLimits({ limitBytes: 64 * MiB, heapLimitBytes: 34 * MiB }, 50)).toEqual({ max: 50, served: 45 });
  });
});
