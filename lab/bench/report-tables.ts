import { APP } from './contenders.ts';
import type { ImagesResult } from './images.ts';
import type { ThroughputRow } from './load.ts';
import type { Estimate } from './stats.ts';
import { AGREEMENT, type Rerun } from './rerun.ts';
import { probesText } from './overload/matrix.ts';
import type { Target } from './report.ts';
import type { StartupRow } from './startup.ts';
import type { Table } from '../lib/tables.ts';

// A bench report's tables, for the terminal (bench/run.ts) and for docs/performance.md (docs/bench-section.ts).

const x = (ratio: number) => `${ratio.toFixed(2)}×`;
/** A median ratio with its 95 % interval: "0.93× (0.90–0.95)". */
const withInterval = ({ median, low, high }: Estimate) => `${x(median)} (${low.toFixed(2)}–${high.toFixed(2)})`;

export function targetsTable(targets: Target[]): Table {
  return {
    header: ['Figure', 'Measured', 'Baseline (same run)', 'Ratio', 'Target', 'Met'],
    rows: targets.map((target) => [
      target.figure,
      target.measured,
      target.baseline,
      target.ratio === undefined
        ? '—'
        : target.interval === undefined
          ? x(target.ratio)
          : withInterval({ median: target.ratio, ...target.interval }),
      target.target,
      target.pass === undefined ? '—' : target.pass ? 'yes' : 'NO',
    ]),
  };
}

/**
 * Each server's own figures, and the app's ratios against it from the same rounds: only the app's, as the
 * sandwich measures them (a ratio between two baselines would carry the noise of both).
 */
export function throughputTable(rows: ThroughputRow[]): Table {
  const ofApp = (entry: ThroughputRow, pick: (row: ThroughputRow) => Record<string, Estimate>) => {
    const app = rows.find((row) => row.contender === APP && row.shape === entry.shape && row.sink === entry.sink);
    const estimate = app === undefined || entry.contender === APP ? undefined : pick(app)[entry.contender];
    return estimate === undefined ? '—' : withInterval(estimate);
  };
  return {
    header: [
      'Load',
      'Log',
      'Server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'CPU µs/request',
      'CPU busy',
      "app's req/s × this",
      "app's req/CPU-s × this",
      'non-2xx/errors',
      'restarts',
    ],
    rows: rows.map((entry) => [
      entry.shape,
      entry.sink,
      entry.contender,
      String(entry.rps),
      String(entry.p50Ms),
      String(entry.p99Ms),
      String(entry.cpuUsPerRequest),
      `${Math.round(entry.busy * 100)} %`,
      ofApp(entry, (row) => row.ratios),
      ofApp(entry, (row) => row.perCpuRatios),
      String(entry.failures),
      String(entry.restarts),
    ]),
  };
}

/** The overload matrix, one line per image, memory limit and load shape. */
export function overloadTable(images: ImagesResult): Table {
  const rows = 'skipped' in images ? [] : images.rows.flatMap((image) => image.overload);
  const text = (value: number | undefined) => (value === undefined ? '—' : String(value));
  return {
    header: [
      'Image',
      'Memory limit',
      'Connection limit',
      'Load (15 s)',
      'Answered',
      'Shed',
      'Failed',
      'p99 ms',
      'Peak MiB',
      'OOM kills',
      'Restarts',
      'Recovery ms',
      'Liveness probes (PORT / METRICS_PORT)',
    ],
    rows: rows.map((entry) => [
      entry.image,
      `${entry.memoryMiB} MiB`,
      text(entry.maxConnections),
      entry.shape,
      String(entry.answered),
      String(entry.shed),
      String(entry.failed),
      text(entry.p99Ms),
      text(entry.peakMiB),
      String(entry.oomKills),
      String(entry.restarts),
      text(entry.recoveryMs),
      `${probesText(entry.liveness.port)} / ${probesText(entry.liveness.metricsPort)}`,
    ]),
  };
}

export function startupTable(rows: StartupRow[]): Table {
  return {
    header: ['Start-up', 'median ms', 'min ms', 'max ms', '× bare node:http'],
    rows: rows.map((entry) => [
      entry.name,
      String(entry.medianMs),
      String(entry.minMs),
      String(entry.maxMs),
      withInterval({ median: entry.ratio, low: entry.low, high: entry.high }),
    ]),
  };
}

/** This run's ratios beside the previous run's. */
export function rerunTable(rerun: Exclude<Rerun, { skipped: string }>): Table {
  return {
    header: ['Ratio', 'Previous run', 'This run', 'Change'],
    rows: rerun.rows.map((row) => [
      row.figure,
      x(row.previous),
      x(row.now),
      `${row.change >= 0 ? '+' : '−'}${Math.abs(row.change * 100).toFixed(1)} %${Math.abs(row.change) > AGREEMENT ? ' (beyond)' : ''}`,
    ]),
  };
}
