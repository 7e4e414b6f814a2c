import { describe, expect, it } from 'vitest';
import { medianWithInterval, pooledQuantile, pooledQuantileRatio, type Histogram } from './stats.ts';

describe('medianWithInterval', () => {
  const spread = [0.9, 1.1, 0.95, 1.05, 1.0, 0.92, 1.08, 0.97, 1.03, 1.01, 0.99];

  it('gives the median and an interval around it', () => {
    const estimate = medianWithInterval(spread);
    expect(estimate.median).toBe(1.0);
    expect(estimate.low).toBeLessThan(1.0);
    expect(estimate.high).toBeGreaterThan(1.0);
    expect(estimate.low).toBeGreaterThanOrEqual(0.9);
    expect(estimate.high).toBeLessThanOrEqual(1.1);
  });

  it('is the same for the same rounds, so a report can be regenerated and checked', () => {
    expect(medianWithInterval(spread)).toEqual(medianWithInterval(spread));
  });

  it('narrows as the rounds agree, and widens as they scatter', () => {
    const tight = medianWithInterval(spread.map((value) => 1 + (value - 1) / 10));
    const loose = medianWithInterval(spread.map((value) => 1 + (value - 1) * 3));
    const width = ({ low, high }: { low: number; high: number }) => high - low;
    expect(width(tight)).toBeLessThan(width(medianWithInterval(spread)));
    expect(width(loose)).toBeGreaterThan(width(medianWithInterval(spread)));
  });

  it('leaves out rounds with no figure, and says NaN when none has one', () => {
    expect(medianWithInterval([1, Number.NaN, 3]).median).toBe(2);
    expect(medianWithInterval([Number.NaN]).median).toBeNaN();
  });

  it('with blocks, widens when processes differ though the rounds within each agree', () => {
    // Four processes of five rounds: each steady, but each settled 3 % from the next.
    const blocks = [1.09, 1.0, 1.06, 1.03].flatMap((level) =>
      spread.slice(0, 5).map((value) => level + (value - 1) / 10),
    );
    const width = ({ low, high }: { low: number; high: number }) => high - low;
    const asRounds = medianWithInterval(blocks);
    const asProcesses = medianWithInterval(blocks, 4);
    expect(asProcesses.median).toBe(asRounds.median);
    expect(width(asProcesses)).toBeGreaterThan(1.5 * width(asRounds));
  });

  it('with blocks, stays as narrow when processes agree', () => {
    const steady = [...spread, ...spread].slice(0, 20);
    const width = ({ low, high }: { low: number; high: number }) => high - low;
    expect(width(medianWithInterval(steady, 4))).toBeLessThan(1.5 * width(medianWithInterval(steady)));
  });
});

/** A histogram in 1 % buckets of `samples` latencies, µs: as many as given at each value. */
function histogramOf(samples: readonly [µs: number, count: number][]): Histogram {
  const growth = 1.01;
  const counts = new Float64Array(1621);
  for (const [value, count] of samples) {
    const bucket = Math.floor(Math.log(value) / Math.log(growth));
    counts[bucket] = (counts[bucket] ?? 0) + count;
  }
  return { growth, counts };
}

describe('pooledQuantile', () => {
  it("is the quantile of every round's samples together, within a bucket", () => {
    // 98 fast answers in one round and 2 slow ones in another: pooled, p99 is slow, p50 fast.
    const rounds = [histogramOf([[1_000, 98]]), histogramOf([[50_000, 2]])];
    expect(pooledQuantile(rounds, 0.99)).toBeGreaterThan(50_000 * 0.99);
    expect(pooledQuantile(rounds, 0.99)).toBeLessThan(50_000 * 1.01);
    expect(pooledQuantile(rounds, 0.5)).toBeGreaterThan(990);
    expect(pooledQuantile(rounds, 0.5)).toBeLessThan(1_010);
  });

  it('leaves out rounds with no samples, and says NaN when none has any', () => {
    expect(pooledQuantile([histogramOf([]), histogramOf([[2_000, 10]])], 0.99)).toBeCloseTo(2_000, -2);
    expect(pooledQuantile([histogramOf([])], 0.99)).toBeNaN();
  });
});

describe('pooledQuantileRatio', () => {
  it('is the p99 of all the batches, which a median of per-round p99s misses', () => {
    // Twenty rounds of 1,000 batches; in two rounds of five, a 100 ms pause holds 4 % of them: 1.6 % of
    // all the batches were held, so p99 is the pause. Per round, p99 is the pause in 8 rounds of 20: their
    // median ratio would be 2, as if no batch had waited.
    const own = Array.from({ length: 20 }, (_, index) =>
      histogramOf(
        index % 5 < 2
          ? [
              [2_000, 960],
              [100_000, 40],
            ]
          : [[2_000, 1_000]],
      ),
    );
    const other = Array.from({ length: 20 }, () => histogramOf([[1_000, 1_000]]));
    const estimate = pooledQuantileRatio(own, other, 0.99, 4);
    expect(estimate.median).toBeGreaterThan(95);
    expect(estimate.median).toBeLessThan(105);
    expect(estimate.low).toBeLessThanOrEqual(estimate.median);
    expect(estimate.high).toBeGreaterThanOrEqual(estimate.median);
  });

  it('widens when the pauses are in some processes only', () => {
    const steadyOwn = Array.from({ length: 20 }, () => histogramOf([[2_000, 1_000]]));
    const other = Array.from({ length: 20 }, () => histogramOf([[1_000, 1_000]]));
    // The first process of four pauses in every round: 4 % of its batches, so its p99 is the pause.
    const unevenOwn = Array.from({ length: 20 }, (_, index) =>
      index < 5
        ? histogramOf([
            [2_000, 960],
            [100_000, 40],
          ])
        : histogramOf([[2_000, 1_000]]),
    );
    const width = ({ low, high }: { low: number; high: number }) => high / low;
    expect(width(pooledQuantileRatio(steadyOwn, other, 0.99, 4))).toBeLessThan(1.03);
    expect(width(pooledQuantileRatio(unevenOwn, other, 0.99, 4))).toBeGreaterThan(10);
  });

  it('leaves out rounds where either had no samples (a server that had died)', () => {
    const own = [histogramOf([[3_000, 100]]), histogramOf([[3_000, 100]])];
    const other = [histogramOf([[1_000, 100]]), histogramOf([])];
    expect(pooledQuantileRatio(own, other, 0.99).median).toBeCloseTo(3, 1);
  });
});
