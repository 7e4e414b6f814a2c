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
  const size = Math.ceil(values.length / blocks);
  const groups = Array.from({ length: blocks }, (_, index) =>
    values.slice(index * size, (index + 1) * size).filter((value) => Number.isFinite(value)),
  ).filter((group) => group.length > 0);
  const finite = groups.flat();
  if (finite.length === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN };
  const random = seeded(0x5eed);
  const pick = <T>(from: readonly T[]): T => from[Math.floor(random() * from.length)] as T;
  // One block: rounds resampled as they are (and the same draws as before blocks existed).
  const resample = () =>
    groups.flatMap((only) => {
      const group = groups.length === 1 ? only : pick(groups);
      return Array.from(group, () => pick(group));
    });
  const medians = Array.from({ length: resamples }, () => median(resample())).sort((a, b) => a - b);
  const at = (quantile: number) => medians[Math.min(resamples - 1, Math.floor(quantile * resamples))] ?? Number.NaN;
  return { median: median(finite), low: at(0.025), high: at(0.975) };
}
