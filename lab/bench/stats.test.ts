import { describe, expect, it } from 'vitest';
import { medianWithInterval } from './stats.ts';

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
