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
 */
export function medianWithInterval(values: readonly number[], resamples = 4000): Estimate {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN };
  const random = seeded(0x5eed);
  const medians = Array.from({ length: resamples }, () =>
    median(Array.from(finite, () => finite[Math.floor(random() * finite.length)] ?? Number.NaN)),
  ).sort((a, b) => a - b);
  const at = (quantile: number) => medians[Math.min(resamples - 1, Math.floor(quantile * resamples))] ?? Number.NaN;
  return { median: median(finite), low: at(0.025), high: at(0.975) };
}
