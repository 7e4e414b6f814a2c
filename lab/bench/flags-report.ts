import { MEMORY_FLOOR_MIB } from '../../src/lifecycle/connection-limits.ts';
import type { Table } from '../lib/tables.ts';
import type { LoadSettings } from './load.ts';
import type { Machine } from './machine.ts';
import type { NodeFlags } from './server-process.ts';
import type { Estimate } from './stats.ts';

// The shape of lab/reports/flags.json (npm run bench:flags), the variants it weighs, and its table.

export const FLAGS_FILE = 'lab/reports/flags.json';
export const SHIPPED = 'as shipped';
export const NO_BACKGROUND_OPTIMISING = '--no-concurrent-recompilation instead of --single-threaded';
export const NO_BACKGROUND_OPTIMISING_OR_GC = '--no-concurrent-recompilation --single-threaded-gc instead';

const without = (options: string, flag: string) =>
  options
    .split(' ')
    .filter((option) => !option.startsWith(flag))
    .join(' ');
const withOption = (options: string, flag: string, value: string) =>
  [...without(options, flag).split(' ').filter(Boolean), `${flag}=${value}`].join(' ');

/** The variants weighed: the images' flags, each one removed, and the alternatives the data pointed to. */
export function variantsOf(shipped: NodeFlags): { name: string; node: NodeFlags }[] {
  const { flags, nodeOptions } = shipped;
  const alone = (flag: string) => flags.filter((entry) => entry !== flag);
  return [
    { name: SHIPPED, node: shipped },
    { name: 'without --single-threaded', node: { flags: alone('--single-threaded'), nodeOptions } },
    {
      name: 'without --max-semi-space-size',
      node: { flags, nodeOptions: without(nodeOptions, '--max-semi-space-size') },
    },
    {
      name: 'without --max-old-space-size-percentage',
      node: { flags, nodeOptions: without(nodeOptions, '--max-old-space-size-percentage') },
    },
    { name: 'semi-space 8 MB', node: { flags, nodeOptions: withOption(nodeOptions, '--max-semi-space-size', '8') } },
    {
      name: '--v8-pool-size=1 instead of --single-threaded',
      node: { flags: [...alone('--single-threaded'), '--v8-pool-size=1'], nodeOptions },
    },
    // Two of the things --single-threaded turns off, kept apart: which one buys the memory, which one costs the
    // start-up (V8's optimising compiler off the main thread, its garbage collector's helper threads).
    {
      name: NO_BACKGROUND_OPTIMISING,
      node: { flags: [...alone('--single-threaded'), '--no-concurrent-recompilation'], nodeOptions },
    },
    {
      name: NO_BACKGROUND_OPTIMISING_OR_GC,
      node: {
        flags: [...alone('--single-threaded'), '--no-concurrent-recompilation', '--single-threaded-gc'],
        nodeOptions,
      },
    },
    { name: "Node's defaults", node: { flags: [], nodeOptions: '' } },
  ];
}

export interface FlagsRow {
  name: string;
  flags: string;
  throughput: Estimate;
  p99: Estimate;
  cpuUsPerRequest: number;
  rps: number;
  p99Ms: number;
  peakMiB128: number | undefined;
  startupMs: number;
  startupRatio: number;
  floor: { peakMiB: number | undefined; oomKills: number | undefined; died: boolean; failures: number; shed: number };
}

export function flagsTable(entries: FlagsRow[]): Table {
  const x = ({ median, low, high }: Estimate) => `${median.toFixed(2)}× (${low.toFixed(2)}–${high.toFixed(2)})`;
  return {
    header: [
      'Variant',
      'node flags',
      'req/s × as shipped',
      'p99 × as shipped',
      'CPU µs/request',
      'Peak MiB (128 MiB)',
      'Start-up × node:http',
      `Under ${MEMORY_FLOOR_MIB} MiB: survived, OOM kills, failed, peak MiB`,
    ],
    rows: entries.map((entry) => [
      entry.name,
      `\`${entry.flags}\``,
      x(entry.throughput),
      x(entry.p99),
      String(entry.cpuUsPerRequest),
      String(entry.peakMiB128 ?? '—'),
      `${entry.startupRatio.toFixed(2)}×`,
      `${entry.floor.died ? 'NO' : 'yes'}, ${String(entry.floor.oomKills ?? '—')}, ${entry.floor.failures}, ${String(entry.floor.peakMiB ?? '—')}`,
    ]),
  };
}

export interface FlagsReport {
  command: string;
  durationSeconds: number;
  machine: Machine;
  settings: {
    load: LoadSettings;
    limits: { memoryMiB: number; cpus: number };
    floorSeconds: number;
    floorMiB: number;
    startupRuns: number;
  };
  rows: FlagsRow[];
}
