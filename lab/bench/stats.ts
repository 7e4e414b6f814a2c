export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A median with the 95 % interval around it. */
export interface Estimate {
  median: number;
  low: number;
  high: number;
}

/** An estimate to three places, as the reports keep them. */
export const rounded = ({ median: middle, low, high }: Estimate): Estimate => ({
  median: round(middle, 3),
  low: round(low, 3),
  high: round(high, 3),
});

// mulberry32: a seeded generator, so the same rounds always give the same interval.
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The median of `values` and a 95 % percentile-bootstrap interval for it: the values resampled with
 * replacement many times, the interval spanning the middle 95 % of the resamples' medians. Rounds are
 * the unit resampled, so an interval says how far another run of as many rounds could land.
 *
 * With `blocks` > 1 the values are that many equal runs of consecutive rounds, each measured by processes
 * of their own, and the resampling has two levels: blocks with replacement, then rounds within each. A
 * process settles differently at every start (what V8 optimised, where its heap lies) and keeps that for
 * all its rounds, so another run lands as far as its processes differ: the interval has to say so too.
 */
export function medianWithInterval(values: readonly number[], blocks = 1, resamples = 4000): Estimate {
  const finite = values.map((value) => (Number.isFinite(value) ? value : undefined));
  return bootstrap(finite, blocks, median, resamples);
}

/**
 * `statistic` of the samples (undefined: a round with no figure, left out), with its 95 % percentile-bootstrap
 * interval: resampled as medianWithInterval says, by blocks then rounds within each.
 */
function bootstrap<T>(
  samples: readonly (T | undefined)[],
  blocks: number,
  statistic: (sample: readonly T[]) => number,
  resamples: number,
): Estimate {
  const size = Math.ceil(samples.length / blocks);
  const groups = Array.from({ length: blocks }, (_, index) =>
    samples.slice(index * size, (index + 1) * size).filter((sample): sample is T => sample !== undefined),
  ).filter((group) => group.length > 0);
  const all = groups.flat();
  if (all.length === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN };
  const random = seeded(0x5eed);
  const pick = <U>(from: readonly U[]): U => from[Math.floor(random() * from.length)] as U;
  // One block: rounds resampled as they are (and the same draws as before blocks existed).
  const resample = () =>
    groups.flatMap((only) => {
      const group = groups.length === 1 ? only : pick(groups);
      return Array.from(group, () => pick(group));
    });
  const figures = Array.from({ length: resamples }, () => statistic(resample())).sort((a, b) => a - b);
  const at = (quantile: number) => figures[Math.min(resamples - 1, Math.floor(quantile * resamples))] ?? Number.NaN;
  return { median: statistic(all), low: at(0.025), high: at(0.975) };
}

/**
 * A latency histogram: counts[i] samples fell in bucket i, which holds the values from growth^i to
 * growth^(i+1) µs (bucket 0 also those below 1 µs). Buckets growing by 1 % keep every figure within 1 %, in
 * 1,621 buckets up to 10 s.
 */
export interface Histogram {
  growth: number;
  counts: Float64Array;
}

/** Running totals of a histogram's counts: what a pooled quantile is read from. */
function cumulative({ counts }: Histogram): Float64Array {
  const totals = new Float64Array(counts.length);
  let sum = 0;
  counts.forEach((count, index) => {
    sum += count;
    totals[index] = sum;
  });
  return totals;
}

/** The bucket holding the `quantile` of every sample of these histograms pooled (given as running totals). */
function pooledBucket(totals: readonly Float64Array[], quantile: number): number {
  const below = (bucket: number) => totals.reduce((sum, entry) => sum + (entry[bucket] ?? 0), 0);
  const last = Math.max(0, ...totals.map((entry) => entry.length - 1));
  const rank = Math.max(1, Math.ceil(quantile * below(last)));
  let low = 0;
  let high = last;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (below(middle) >= rank) high = middle;
    else low = middle + 1;
  }
  return low;
}

const hasSamples = (histogram: Histogram) => histogram.counts.some((count) => count > 0);

/** The `quantile` of every sample of these histograms pooled, in µs (a bucket's geometric middle). */
export function pooledQuantile(histograms: readonly Histogram[], quantile: number): number {
  const filled = histograms.filter(hasSamples);
  const growth = filled[0]?.growth;
  if (growth === undefined) return Number.NaN;
  return growth ** (pooledBucket(filled.map(cumulative), quantile) + 0.5);
}

/**
 * A latency quantile of one server's rounds pooled over that of another's (the same rounds, paired), with a
 * 95 % interval resampled as medianWithInterval's (blocks: the processes). Pooled, because a quantile of one
 * 2 s round is decided by whether a pause fell in it: the median of per-round p99 ratios moved from 1.57× to
 * 1.16× between two runs, with intervals of 0.5 to 3.3×. Rounds where either has no samples are left out.
 */
export function pooledQuantileRatio(
  own: readonly Histogram[],
  other: readonly Histogram[],
  quantile: number,
  blocks = 1,
  resamples = 4000,
): Estimate {
  const growth = own[0]?.growth ?? 1;
  const pairs = own.map((histogram, index) => {
    const paired = other[index];
    return paired !== undefined && hasSamples(histogram) && hasSamples(paired)
      ? { own: cumulative(histogram), other: cumulative(paired) }
      : undefined;
  });
  const ratio = (sample: readonly { own: Float64Array; other: Float64Array }[]) =>
    growth **
    (pooledBucket(
      sample.map((pair) => pair.own),
      quantile,
    ) -
      pooledBucket(
        sample.map((pair) => pair.other),
        quantile,
      ));
  return bootstrap(pairs, blocks, ratio, resamples);
}
