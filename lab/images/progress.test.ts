import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debootstrapProgress } from './debian-root.ts';
import { createProgress, TICK_MS } from './progress.ts';

describe('the progress npm run standins prints', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('numbers each step, says where a running step is every few seconds, and times it', async () => {
    const lines: string[] = [];
    const progress = createProgress(2, (line) => lines.push(line), Date.now);
    const step = progress.step('debootstrap', async (report) => {
      await vi.advanceTimersByTimeAsync(TICK_MS - 1);
      report('packages retrieved: 30');
      await vi.advanceTimersByTimeAsync(1);
      report('extracting: 5 of 78 packages');
      await vi.advanceTimersByTimeAsync(TICK_MS + 500);
      return 'root';
    });
    await expect(step).resolves.toBe('root');
    await expect(
      progress.step('apt-get', async () => {
        await vi.advanceTimersByTimeAsync(TICK_MS);
        throw new Error('apt-get exited with 100');
      }),
    ).rejects.toThrow('apt-get exited with 100');
    // Nothing more once a step has ended.
    await vi.advanceTimersByTimeAsync(3 * TICK_MS);
    expect(lines).toEqual([
      '[1/2] debootstrap',
      '[1/2] 5.0 s: packages retrieved: 30',
      '[1/2] 10.0 s: extracting: 5 of 78 packages',
      '[1/2] done in 10.5 s',
      '[2/2] apt-get',
      '[2/2] 5.0 s',
      '[2/2] failed after 5.0 s',
    ]);
  });
});

describe("debootstrap's progress", () => {
  it('counts the packages retrieved, then each package through each phase', () => {
    const reports: string[] = [];
    const read = debootstrapProgress((status) => reports.push(status));
    for (const line of [
      'I: Retrieving InRelease ',
      'I: Checking Release signature',
      'I: Resolving dependencies of base packages...',
      'I: Retrieving apt 3.0.4',
      'I: Validating apt 3.0.4',
      'I: Retrieving libc6 2.41-12',
      'I: Validating libc6 2.41-12',
      'I: Extracting apt...',
      'I: Installing core packages...',
      'I: Unpacking required packages...',
      'I: Unpacking libc6:amd64...',
      'I: Configuring libc6:amd64...',
      'W: a warning is no progress',
    ]) {
      read(line);
    }
    expect(reports).toEqual([
      'Retrieving InRelease',
      'Checking Release signature',
      'Resolving dependencies of base packages',
      'packages retrieved: 1',
      'packages retrieved: 2',
      'extracting: 1 of 2 packages',
      'Installing core packages',
      'Unpacking required packages',
      'unpacking: 1 of 2 packages',
      'configuring: 1 of 2 packages',
    ]);
  });
});
