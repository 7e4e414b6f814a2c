import { describe, expect, it } from 'vitest';
import { createPendingLines } from '../../src/observability/pending-lines.ts';

/** How many of three lines (10, 20 and 30 bytes) are still pending after these writes. */
function pendingAfter(writes: number[]): number {
  const pending = createPendingLines();
  for (const bytes of [10, 20, 30]) pending.add(bytes);
  for (const bytes of writes) pending.written(bytes);
  return pending.clear();
}

describe('pending lines', () => {
  it('forgets a line once every byte of it is written, even across partial writes', () => {
    expect(pendingAfter([15])).toBe(2); // the first line, and half the second
    expect(pendingAfter([15, 14])).toBe(2); // one byte short of the second
    expect(pendingAfter([15, 14, 1])).toBe(1);
    expect(pendingAfter([15, 14, 1, 30])).toBe(0);
  });

  it('clears, says how many lines it held, and starts afresh', () => {
    const pending = createPendingLines();
    for (let line = 0; line < 5000; line += 1) pending.add(100);
    pending.written(100 * 3000 + 50);
    expect(pending.clear()).toBe(2000);
    expect(pending.clear()).toBe(0);
    pending.add(7);
    pending.written(7);
    expect(pending.clear()).toBe(0);
  });
});
