import { APP_ON_DEFAULTS, BARE_EXPRESS, PEER } from './contenders.ts';
import type { ImagesResult } from './images.ts';
import type { ThroughputRow } from './load.ts';
import { probesText } from './overload/matrix.ts';
import type { Target } from './report.ts';
import type { StartupRow } from './startup.ts';
import type { Table } from '../lib/tables.ts';

// A bench report's tables, for the terminal (bench/run.ts) and for docs/performance.md (docs/bench-section.ts).

const x = (ratio: number) => `${ratio.toFixed(2)}×`;

export function targetsTable(targets: Target[]): Table {
  return {
    header: ['Figure', 'Measured', 'Baseline (same run)', 'Ratio', 'Target', 'Met'],
    rows: targets.map((target) => [
      target.figure,
      target.measured,
      target.baseline,
      target.ratio === undefined ? '—' : x(target.ratio),
      target.target,
      target.pass === undefined ? '—' : target.pass ? 'yes' : 'NO',
    ]),
  };
}

export function throughputTable(rows: ThroughputRow[]): Table {
  const ratio = (entry: ThroughputRow, other: string) => {
    const value = entry.ratios[other];
    return value === undefined ? '—' : x(value);
  };
  return {
    header: [
      'Load',
      'Log',
      'Route',
      'Server',
      'req/s',
      'p50 ms',
      'p99 ms',
      '× app on defaults',
      '× peer',
      '× bare Express',
      'non-2xx/errors',
    ],
    rows: rows.map((entry) => [
      entry.shape,
      entry.sink,
      `GET ${entry.path}`,
      entry.contender,
      String(entry.rps),
      String(entry.p50Ms),
      String(entry.p99Ms),
      ratio(entry, APP_ON_DEFAULTS),
      ratio(entry, PEER),
      ratio(entry, BARE_EXPRESS),
      String(entry.failures),
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
      x(entry.ratio),
    ]),
  };
}
