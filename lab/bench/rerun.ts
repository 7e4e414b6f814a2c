import { existsSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { APP } from './contenders.ts';
import type { BenchReport } from './report.ts';

// A benchmark is only worth its ratios if running it again gives the same ones. Each run is held against the
// committed report of the run before it, ratio by ratio.

/** How far a ratio may move between two runs of the same settings for the runs to agree. */
export const AGREEMENT = 0.05;

interface RerunRow {
  figure: string;
  previous: number;
  now: number;
  /** now / previous − 1. */
  change: number;
}

export type Rerun =
  | { skipped: string }
  | {
      previous: { date: string; revision: string; command: string };
      rows: RerunRow[];
      /** The largest |change|. */
      worst: number;
    };

type Results = Omit<BenchReport, 'rerun' | 'targets'> & Pick<BenchReport, 'targets'>;

/**
 * Every ratio a report gives: its targets', and the app's against each other contender in the throughput
 * table (req/s, and requests per CPU-second). Those are what a round measures, the app on either side of the
 * other server; a ratio between two baselines would be a quotient of two such figures, with the noise of both.
 */
export function ratiosOf(report: Pick<Results, 'targets' | 'throughput'>): Map<string, number> {
  const ratios = new Map<string, number>();
  for (const target of report.targets) if (target.ratio !== undefined) ratios.set(target.figure, target.ratio);
  for (const row of report.throughput) {
    if (row.contender !== APP) continue;
    for (const [against, estimate] of Object.entries(row.ratios)) {
      if (against === APP) continue;
      ratios.set(`${APP} req/s vs ${against}, ${row.shape}, log to ${row.sink}`, estimate.median);
      const perCpu = row.perCpuRatios[against];
      if (perCpu !== undefined)
        ratios.set(`${APP} requests per CPU-second vs ${against}, ${row.shape}, log to ${row.sink}`, perCpu.median);
    }
  }
  return ratios;
}

export function compareWith(previous: Partial<BenchReport> | undefined, now: Results): Rerun {
  if (previous?.throughput === undefined || previous.targets === undefined)
    return { skipped: 'no earlier report of this kind to compare with' };
  if (!isDeepStrictEqual(previous.settings?.loads, now.settings.loads))
    return { skipped: 'the earlier report ran other load settings' };
  const before = ratiosOf({ targets: previous.targets, throughput: previous.throughput });
  const rows = [...ratiosOf(now)].flatMap(([figure, ratio]) => {
    const earlier = before.get(figure);
    return earlier === undefined ? [] : [{ figure, previous: earlier, now: ratio, change: ratio / earlier - 1 }];
  });
  return {
    previous: {
      date: previous.machine?.date ?? 'unknown',
      revision: previous.revision ?? 'unknown',
      command: previous.command ?? 'unknown',
    },
    rows,
    worst: Math.max(0, ...rows.map((row) => Math.abs(row.change))),
  };
}

export function readPrevious(file: string): Partial<BenchReport> | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchReport>) : undefined;
}
