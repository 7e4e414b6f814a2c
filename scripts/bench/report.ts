import { mkdirSync, writeFileSync } from 'node:fs';
import type { ImagesResult } from './images.ts';
import { FLOOR_LIMITS_MIB } from './memory-floor.ts';
import type { LoadSettings, ScrapeResult, ThroughputRow } from './load.ts';
import type { Machine } from './machine.ts';
import type { MemoryResult, MemorySettings } from './memory.ts';
import type { ShutdownResult, ShutdownSettings } from './shutdown.ts';
import type { StopUnderLoadRun, StopUnderLoadSettings } from './stop-under-load.ts';
import type { StartupRow } from './startup.ts';
import { round } from './stats.ts';
import type { Table } from './tables.ts';

export const REPORT_FILE = 'reports/bench.json';

export interface Target {
  figure: string;
  measured: string;
  baseline: string;
  ratio: number | undefined;
  target: string;
  /** undefined: reported, with no target to meet. */
  pass: boolean | undefined;
}

export interface BenchReport {
  command: string;
  machine: Machine;
  settings: {
    loads: LoadSettings[];
    memory: MemorySettings;
    startupRuns: number;
    shutdown: ShutdownSettings;
    stopUnderLoad?: StopUnderLoadSettings;
    nodeOptions: string;
    /** The flags the images' CMD passes to node; absent in reports older than the flag. */
    nodeFlags?: string[];
  };
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
}

type Results = Omit<BenchReport, 'targets'>;

const x = (ratio: number) => `${ratio.toFixed(2)}×`;

function row(rows: ThroughputRow[], shape: string, path: string, contender: string): ThroughputRow | undefined {
  return rows.find((entry) => entry.shape === shape && entry.path === path && entry.contender === contender);
}

/** /api/time at ≥ 0.70× a bare Express app building the same body, in every load shape; / is reported. */
export const THROUGHPUT_TARGET = 0.7;

function throughputTargets(rows: ThroughputRow[]): Target[] {
  const shapes = [...new Set(rows.map((entry) => entry.shape))];
  return shapes.flatMap((shape) =>
    ['/api/time', '/'].flatMap((path) => {
      const app = row(rows, shape, path, 'app');
      const express = row(rows, shape, path, 'bare Express');
      if (app === undefined || express === undefined) return [];
      const api = path === '/api/time';
      return [
        {
          figure: `GET ${path} req/s vs bare Express, ${shape}`,
          measured: `${app.rps} req/s, p99 ${app.p99Ms} ms`,
          baseline: `${express.rps} req/s, p99 ${express.p99Ms} ms`,
          ratio: app.vsExpress,
          target: api ? `≥ ${THROUGHPUT_TARGET.toFixed(2)}×` : '—',
          pass: api ? app.vsExpress >= THROUGHPUT_TARGET && app.failures === 0 : undefined,
        },
      ];
    }),
  );
}

function imageTargets(images: ImagesResult): Target[] {
  if ('skipped' in images) return [];
  return images.rows.flatMap((image) => [
    {
      figure: `${image.image} start-up (docker run → 200)`,
      measured: `${image.startupMs} ms, docker stop ${image.stopMs} ms`,
      baseline: `node:http in the image: ${image.bareStartupMs} ms, stop ${image.bareStopMs} ms`,
      ratio: image.startupRatio,
      target: '≤ 2.00×',
      pass: image.startupRatio <= 2,
    },
    {
      figure: `${image.image} memory floor (docker run --memory, 100 connections)`,
      measured:
        image.memoryFloor.floorMiB === undefined
          ? `none of ${FLOOR_LIMITS_MIB.join(', ')} MiB`
          : `${image.memoryFloor.floorMiB} MiB (peak ${String(image.memoryFloor.runs.at(-1)?.peakMiB)} MiB)`,
      baseline:
        image.memoryFloor.runs
          .filter((run) => !run.survived)
          .map((run) => `${run.limitMiB} MiB: ${run.oomKilled ? 'OOM-killed' : `${run.failures} failures`}`)
          .join('; ') || 'smallest limit tried',
      ratio: undefined,
      target: `≤ ${MEMORY_FLOOR_TARGET_MIB} MiB`,
      pass: image.memoryFloor.floorMiB !== undefined && image.memoryFloor.floorMiB <= MEMORY_FLOOR_TARGET_MIB,
    },
    stopUnderLoadTarget(`${image.image}: docker stop under load, 50 keep-alive clients`, image.stopUnderLoad),
    {
      figure: `${image.image} own layers`,
      measured: image.ownLayersMB === undefined ? 'base image not found' : `${image.ownLayersMB} MB`,
      baseline: 'its base image',
      ratio: undefined,
      target: '≤ 5 MB',
      pass: image.ownLayersMB === undefined ? undefined : image.ownLayersMB <= 5,
    },
  ]);
}

/**
 * SIGTERM (or docker stop) while keep-alive clients keep sending: no request the server read goes
 * unanswered, and no request sent on a reused connection is reset. New connections after the listener
 * closed are refused (through Docker's port proxy they are accepted, then reset): they never reach the app.
 */
function stopUnderLoadTarget(figure: string, runs: StopUnderLoadRun[]): Target {
  const sum = (pick: (run: StopUnderLoadRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const reused = sum((run) => run.resetOnReusedConnection);
  const lost = sum((run) => run.lost);
  return {
    figure,
    measured: `${sum((run) => run.answered)} answered, ${lost} lost, ${reused} reset on a kept-alive connection; exit ${runs.map((run) => String(run.exitCode)).join('/')}`,
    baseline: `new connections after close: ${sum((run) => run.refused)} refused, ${sum((run) => run.resetOnNewConnection)} reset (${runs.length} runs)`,
    ratio: undefined,
    target: '0 lost, 0 reset on a kept-alive connection, exit 0',
    pass: reused === 0 && lost === 0 && runs.every((run) => run.exitCode === 0),
  };
}

const MEMORY_LIMIT_MB = 150;
/** The container memory limit both images must live within under overload. */
export const MEMORY_FLOOR_TARGET_MIB = 64;

function memoryTarget(figure: string, app: MemoryResult, bareExpress: MemoryResult): Target {
  return {
    figure,
    measured: `${app.peakRssMB} MB (kernel peak ${app.kernelPeakMB} MB)`,
    baseline: `bare Express ${bareExpress.peakRssMB} MB`,
    ratio: round(app.peakRssMB / bareExpress.peakRssMB),
    target: `≤ ${MEMORY_LIMIT_MB} MB`,
    pass: app.peakRssMB <= MEMORY_LIMIT_MB && app.kernelPeakMB <= MEMORY_LIMIT_MB,
  };
}

export function targetsOf({ throughput, scrape, memory, startup, shutdown, stopUnderLoad, images }: Results): Target[] {
  const app = startup.find((entry) => entry.name === 'app');
  const bare = startup.at(-1);
  return [
    ...throughputTargets(throughput),
    memoryTarget('peak RSS, 100 connections, slow stdout', memory.app, memory.bareExpress),
    memoryTarget('peak RSS, same load, stdout never read', memory.appStalled, memory.bareExpress),
    memoryTarget(
      'peak RSS, 100 connections × 10 pipelined, slow stdout',
      memory.appPipelined,
      memory.bareExpressPipelined,
    ),
    {
      figure: '/metrics scraped every 100 ms under overload',
      measured: `p99 ${scrape.p99Ms} ms, p50 ${scrape.p50Ms} ms (${scrape.scrapes} scrapes)`,
      baseline: `/api/time meanwhile: ${scrape.rps} req/s`,
      ratio: undefined,
      target: '—',
      pass: undefined,
    },
    {
      figure: 'start-up (spawn → 200 on /healthz)',
      measured: `${app?.medianMs ?? Number.NaN} ms (median)`,
      baseline: `bare node:http ${bare?.medianMs ?? Number.NaN} ms`,
      ratio: app?.ratio,
      target: '≤ 2.00×',
      pass: app !== undefined && app.ratio <= 2,
    },
    {
      figure: `SIGTERM with ${shutdown.inFlight} requests in flight`,
      measured: `${shutdown.completed}/${shutdown.inFlight} answered 200, exit ${shutdown.exitCodes.join('/')}; signal → exit ${shutdown.signalToExitMs} ms`,
      baseline: `last response → exit ${shutdown.lastResponseToExitMs} ms; idle stop ${shutdown.idleSignalToExitMs} ms`,
      ratio: undefined,
      target: 'all 200, exit 0',
      pass: shutdown.cleanRuns === shutdown.runs,
    },
    ...(stopUnderLoad === undefined
      ? []
      : [stopUnderLoadTarget('SIGTERM under load, 50 keep-alive clients', stopUnderLoad)]),
    ...imageTargets(images),
  ];
}

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
  return {
    header: [
      'Load',
      'Route',
      'Server',
      'req/s',
      'p50 ms',
      'p99 ms',
      '× bare Express',
      '× bare node:http',
      'non-2xx/errors',
    ],
    rows: rows.map((entry) => [
      entry.shape,
      `GET ${entry.path}`,
      entry.contender,
      String(entry.rps),
      String(entry.p50Ms),
      String(entry.p99Ms),
      x(entry.vsExpress),
      x(entry.vsHttp),
      String(entry.failures),
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

export function writeReport(report: BenchReport): void {
  mkdirSync('reports', { recursive: true });
  writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
}
