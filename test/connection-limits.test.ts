import { describe, expect, it } from 'vitest';
import { connectionLimits } from '../src/lifecycle/connection-limits.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('the connection limit', () => {
  it('is what the memory limit holds, a tenth of it kept for the overflow lane', () => {
    // (64 MiB - 40 MiB reserved) / 24 KiB a connection
    expect(connectionLimits({ limitBytes: 64 * MiB, heapLimitBytes: 1 * GiB })).toEqual({ max: 1024, served: 921 });
    // (128 MiB - 40 MiB) / 24 KiB = 3754.7
    expect(connectionLimits({ limitBytes: 128 * MiB, heapLimitBytes: 1 * GiB })).toEqual({ max: 3754, served: 3378 });
  });

  it('budgets 256 MiB where no memory limit is set', () => {
    expect(connectionLimits({ limitBytes: undefined, heapLimitBytes: 12 * GiB })).toEqual({ max: 9216, served: 8294 });
  });

  it('is what the heap holds, where that is less', () => {
    // (40 MiB heap - 16 MiB reserved) / 16 KiB a connection
    expect(connectionLimits({ limitBytes: 128 * MiB, heapLimitBytes: 40 * MiB })).toEqual({ max: 1536, served: 1382 });
  });

  it('never goes below 64, however small the memory', () => {
    expect(connectionLimits({ limitBytes: 32 * MiB, heapLimitBytes: 8 * MiB })).toEqual({ max: 64, served: 57 });
  });

  it('is MAX_CONNECTIONS when that is set, whatever the memory', () => {
    expect(connectionLimits({ limitBytes: 64 * MiB, heapLimitBytes: 1 * GiB }, 50)).toEqual({ max: 50, served: 45 });
  });
});
