import { describe, expect, it } from 'vitest';
import { createPendingLines } from '../src/observability/pending-lines.ts';

describe('pending lines', () => {
  it('forgets a line once every byte of it is written, even across partial writes', () => {
    const pending = createPendingLines();
    for (const bytes of [10, 20, 30]) pending.add(bytes);
    pending.written(15); // the first line, and half the second
    expect(pending.count()).toBe(2);
    pending.written(14); // one byte short of the second
    expect(pending.count()).toBe(2);
    pending.written(1);
    expect(pending.count()).toBe(1);
    pending.written(30);
    expect(pending.count()).toBe(0);
  });

  it('clears, and says how many lines it held', () => {
    const pending = createPendingLines();
    for (let line = 0; line < 5000; line += 1) pending.add(100);
    pending.written(100 * 3000 + 50);
    expect(pending.count()).toBe(2000);
    expect(pending.clear()).toBe(2000);
    expect(pending.count()).toBe(0);
    pending.add(7);
    pending.written(7);
    expect(pending.count()).toBe(0);
  });
});
