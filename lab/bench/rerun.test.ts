import { describe, expect, it } from 'vitest';
import type { BenchReport } from './report.ts';
import { compareWith, ratiosOf } from './rerun.ts';
import { rerunTarget } from './targets.ts';

const LOADS = [{ shape: 'overload', connections: 100, pipelining: 10, warmupSeconds: 8, seconds: 3, rounds: 12 }];
const estimate = (median: number) => ({ median, low: median - 0.02, high: median + 0.02 });

function report(appVsPeer: number, startup: number): BenchReport {
  return {
    command: 'npm run bench',
    revision: 'abc1234',
    machine: { date: '2026-12-07T17:00:00.000Z' },
    settings: { loads: LOADS },
    throughput: [
      {
        shape: 'overload',
        sink: '/dev/null',
        path: '/api/time',
        contender: 'app',
        ratios: { 'peer: Express, helmet, pino-http': estimate(appVsPeer) },
        p99Ratios: {},
        perCpuRatios: { 'peer: Express, helmet, pino-http': estimate(appVsPeer * 1.1) },
      },
      {
        shape: 'overload',
        sink: '/dev/null',
        path: '/api/time',
        contender: 'peer: Express, helmet, pino-http',
        ratios: { 'bare Express': estimate(0.5) },
        p99Ratios: {},
        perCpuRatios: { 'bare Express': estimate(0.5) },
      },
    ],
    targets: [
      { figure: 'start-up', measured: '', baseline: '', ratio: startup, target: '≤ 2.00×', pass: true },
      { figure: 'memory', measured: '', baseline: '', ratio: undefined, target: '—', pass: true },
    ],
  } as unknown as BenchReport;
}

describe('a rerun held against the run before it', () => {
  it("takes every ratio the report gives: targets', and the app's in the throughput table", () => {
    expect([...ratiosOf(report(1.02, 1.8)).keys()]).toEqual([
      'start-up',
      'app req/s vs peer: Express, helmet, pino-http, overload, log to /dev/null',
      'app requests per CPU-second vs peer: Express, helmet, pino-http, overload, log to /dev/null',
    ]);
  });

  it('agrees when every ratio moved by 5 % or less', () => {
    const rerun = compareWith(report(1.0, 1.8), report(1.04, 1.75));
    expect(rerunTarget(rerun).pass).toBe(true);
  });

  it('does not when one ratio moved by more (the fixture: 1.00× then 1.06×)', () => {
    const rerun = compareWith(report(1.0, 1.8), report(1.06, 1.8));
    expect(rerunTarget(rerun).pass).toBe(false);
    expect('skipped' in rerun ? [] : rerun.rows.map((row) => row.figure)).toContain(
      'app req/s vs peer: Express, helmet, pino-http, overload, log to /dev/null',
    );
    expect(rerunTarget(rerun).measured).toMatch(/^largest change 6\.0 %; 2 beyond ±5 %$/);
  });

  it('compares nothing with a run of other load settings, or with none', () => {
    const other = { ...report(1.0, 1.8), settings: { loads: [{ ...LOADS[0], rounds: 3 }] } } as unknown as BenchReport;
    expect(compareWith(other, report(1.0, 1.8))).toEqual({ skipped: 'the earlier report ran other load settings' });
    expect(rerunTarget(compareWith(undefined, report(1.0, 1.8))).pass).toBeUndefined();
  });
});
