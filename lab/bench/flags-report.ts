import { MEMORY_FLOOR_MIB } from '../../src/lifecycle/connection-limits.ts';
import type { Table } from '../lib/tables.ts';
import type { LoadSettings } from './load.ts';
import type { Machine } from './machine.ts';
import type { NodeFlags } from './server-process.ts';
import type { Estimate } from './stats.ts';

// The shape of lab/reports/flags.json (npm run bench:flags), the variants it weighs, and its table.

export const FLAGS_FILE = 'lab/reports/flags.json';
export const SHIPPED = 'as shipped';
export const WITHOUT_MAIN_THREAD_OPTIMISING = 'without --no-concurrent-recompilation';
export const SINGLE_THREADED = '--single-threaded instead';
export const MAIN_THREAD_GC_TOO = '--single-threaded-gc too';

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
  const optimiser = '--no-concurrent-recompilation';
  return [
    { name: SHIPPED, node: shipped },
    { name: WITHOUT_MAIN_THREAD_OPTIMISING, node: { flags: alone(optimiser), nodeOptions } },
    {
      name: 'without --max-semi-space-size',
      node: { flags, nodeOptions: without(nodeOptions, '--max-semi-space-size') },
    },
    {
      name: 'without --max-old-space-size-percentage',
      node: { flags, nodeOptions: without(nodeOptions, '--max-old-space-size-percentage') },
    },
    { name: 'semi-space 8 MB', node: { flags, nodeOptions: withOption(nodeOptions, '--max-semi-space-size', '8') } },
    // The flag it replaced, which also keeps V8's garbage collector on the main thread, and that part alone.
    { name: SINGLE_THREADED, node: { flags: [...alone(optimiser), '--single-threaded'], nodeOptions } },
    { name: MAIN_THREAD_GC_TOO, node: { flags: [...flags, '--single-threaded-gc'], nodeOptions } },
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
