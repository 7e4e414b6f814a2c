import { mkdirSync, writeFileSync } from 'node:fs';
import type { ConnectionCostResult } from './connection-cost.ts';
import type { ImagesResult } from './images.ts';
import type { LoadSettings, ScrapeResult, ThroughputRow } from './load.ts';
import type { Machine } from './machine.ts';
import type { MemoryResult, MemorySettings } from './memory.ts';
import type { ShutdownResult, ShutdownSettings } from './shutdown.ts';
import type { StopUnderLoadRun, StopUnderLoadSettings } from './stop-under-load.ts';
import type { StartupRow } from './startup.ts';
import type { Rerun } from './rerun.ts';

// The shape of lab/reports/bench.json, what `npm run bench` writes and the docs are rendered from.

export const REPORT_FILE = 'lab/reports/bench.json';

export interface Target {
  figure: string;
  measured: string;
  baseline: string;
  ratio: number | undefined;
  /** The ratio's 95 % interval, where it is a median over rounds. */
  interval?: { low: number; high: number };
  target: string;
  /** undefined: reported, with no target to meet. */
  pass: boolean | undefined;
}

export interface BenchReport {
  command: string;
  /** The commit measured (with "+ changes" when the tree differed from it). */
  revision: string;
  /** How long the whole run took. */
  durationSeconds: number;
  machine: Machine;
  settings: {
    loads: LoadSettings[];
    memory: MemorySettings;
    startupRuns: number;
    /** Starts of each image, and of node:http in it, alternating; absent in reports older than it. */
    imageStartupRuns?: number;
    shutdown: ShutdownSettings;
    stopUnderLoad?: StopUnderLoadSettings;
    nodeOptions: string;
    /** The flags the images' CMD passes to node; absent in reports older than the flag. */
    nodeFlags?: string[];
    /** compose.yaml's mem_limit: the app's limit in the throughput, memory and connection-cost runs. */
    appMemoryLimitMiB: number;
    /** compose.yaml's limits, each throughput contender's cgroup. */
    limits: { memoryMiB: number; cpus: number };
  };
  /** What an open connection costs the app, the figures its connection limit is computed from. */
  connectionCost: ConnectionCostResult;
  throughput: ThroughputRow[];
  scrape: ScrapeResult;
  memory: {
    app: MemoryResult;
    appStalled: MemoryResult;
    bareExpress: MemoryResult;
    appPipelined: MemoryResult;
    bareExpressPipelined: MemoryResult;
  };
  startup: StartupRow[];
  shutdown: ShutdownResult;
  /** Absent in reports older than the measurement. */
  stopUnderLoad?: StopUnderLoadRun[];
  images: ImagesResult;
  targets: Target[];
  /** This run's ratios against the previous report's (rerun.ts). */
  rerun: Rerun;
}

export function writeReport(report: BenchReport): void {
  mkdirSync('reports', { recursive: true });
  writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
}
