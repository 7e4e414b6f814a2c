import {
  CONNECTION_BYTES,
  CONNECTION_HEAP_BYTES,
  MEMORY_FLOOR_MIB,
  RESERVED_BYTES,
  RESERVED_HEAP_BYTES,
} from '../../src/lifecycle/connection-limits.ts';
import { connectionBudgetProblems, semiSpaceMiB } from './budgets.ts';
import { APP, APP_ON_DEFAULTS, BARE_EXPRESS, PEER } from './contenders.ts';
import type { ImagesResult } from './images.ts';
import type { ThroughputRow } from './load.ts';
import type { MemoryResult } from './memory.ts';
import { memoryFloorMiB, MATRIX_LIMITS_MIB, type MatrixRow } from './overload/matrix.ts';
import type { BenchReport, Target } from './report.ts';
import type { StopUnderLoadRun } from './stop-under-load.ts';

// The targets a bench run is held to: each figure against its baseline from the same run, and whether it met it.

type Results = Omit<BenchReport, 'targets'>;

function row(
  rows: ThroughputRow[],
  { shape, sink, path, contender }: Pick<ThroughputRow, 'shape' | 'sink' | 'path' | 'contender'>,
): ThroughputRow | undefined {
  return rows.find(
    (entry) => entry.shape === shape && entry.sink === sink && entry.path === path && entry.contender === contender,
  );
}

/**
 * The app as shipped against: itself on Node's defaults (what its flags cost, ≥ 0.90×), the app a user would
 * write instead (≥ 1.00×), and a bare Express app building the same body (≥ 0.70×), in every load shape; the
 * first two with the log read through a pipe as well as sent to /dev/null.
 */
const THROUGHPUT_TARGETS = [
  { against: APP_ON_DEFAULTS, target: 0.9, sinks: ['/dev/null', 'pipe'], paths: ['/api/time'] },
  { against: PEER, target: 1.0, sinks: ['/dev/null', 'pipe'], paths: ['/api/time'] },
  { against: BARE_EXPRESS, target: 0.7, sinks: ['/dev/null'], paths: ['/api/time'] },
  { against: BARE_EXPRESS, target: undefined, sinks: ['/dev/null'], paths: ['/'] },
] as const;

function throughputTargets(rows: ThroughputRow[]): Target[] {
  const shapes = [...new Set(rows.map((entry) => entry.shape))];
  return shapes.flatMap((shape) =>
    THROUGHPUT_TARGETS.flatMap(({ against, target, sinks, paths }) =>
      sinks.flatMap((sink) =>
        paths.flatMap((path) => {
          const app = row(rows, { shape, sink, path, contender: APP });
          const other = row(rows, { shape, sink, path, contender: against });
          const ratio = app?.ratios[against];
          if (app === undefined || other === undefined || ratio === undefined) return [];
          return [
            {
              figure: `GET ${path} req/s vs ${against}, ${shape}, log to ${sink}`,
              measured: `${app.rps} req/s, p99 ${app.p99Ms} ms`,
              baseline: `${other.rps} req/s, p99 ${other.p99Ms} ms`,
              ratio,
              target: target === undefined ? '—' : `≥ ${target.toFixed(2)}×`,
              pass: target === undefined ? undefined : ratio >= target && app.failures === 0,
            },
          ];
        }),
      ),
    ),
  );
}

const RECOVERY_TARGET_MS = 1_000;

/** Every row of the overload matrix: no OOM kill, no restart, serving again within a second. */
function overloadTarget(image: string, rows: MatrixRow[]): Target {
  const oomKills = rows.reduce((sum, entry) => sum + entry.oomKills, 0);
  const restarts = rows.reduce((sum, entry) => sum + entry.restarts, 0);
  const recoveries = rows.map((entry) => entry.recoveryMs);
  const slowest = Math.max(...recoveries.map((ms) => ms ?? Number.POSITIVE_INFINITY));
  const shed = rows.reduce((sum, entry) => sum + entry.shed, 0);
  return {
    figure: `${image} overload matrix (${rows.length} rows: ${MATRIX_LIMITS_MIB.join(' and ')} MiB)`,
    measured: `${oomKills} OOM kills, ${restarts} restarts; slowest recovery ${Number.isFinite(slowest) ? `${slowest} ms` : 'never'}`,
    baseline: `${shed} requests shed (503 or refused) in all`,
    ratio: undefined,
    target: `0 OOM kills, 0 restarts, recovery < ${RECOVERY_TARGET_MS / 1000} s`,
    pass: rows.length > 0 && oomKills === 0 && restarts === 0 && slowest < RECOVERY_TARGET_MS,
  };
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
    floorTarget(image.image, image.overload),
    overloadTarget(image.image, image.overload),
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

/** The smallest limit of the matrix under which the app answered 100 connections × 10 pipelined, all of it. */
function floorTarget(image: string, rows: MatrixRow[]): Target {
  const floor = memoryFloorMiB(rows);
  const peak = rows.find((entry) => entry.memoryMiB === floor && entry.shape === rows[0]?.shape)?.peakMiB;
  return {
    figure: `${image} memory floor (docker run --memory, ${rows[0]?.shape ?? 'no rows'})`,
    measured:
      floor === undefined ? `none of ${MATRIX_LIMITS_MIB.join(', ')} MiB` : `${floor} MiB (peak ${String(peak)} MiB)`,
    baseline: 'smallest limit tried',
    ratio: undefined,
    target: `≤ ${MEMORY_FLOOR_MIB} MiB`,
    pass: floor !== undefined && floor <= MEMORY_FLOOR_MIB,
  };
}

/**
 * The app under its compose limit, its log read slowly or not at all: the bounded log buffer must keep it
 * within the limit, with no OOM kill and every request answered (or shed with a 503 when the event loop falls
 * far behind, which is CPU, not memory). Bare Express, with no limit, for scale.
 */
function memoryTarget(figure: string, app: MemoryResult, bareExpress: MemoryResult): Target {
  const { cgroup, shed = 0 } = app;
  return {
    figure,
    measured:
      cgroup === undefined
        ? `RSS ${app.peakRssMB} MB, no limit`
        : `${cgroup.peakMiB} MiB of ${cgroup.limitMiB} MiB (RSS ${app.peakRssMB} MB), ${cgroup.oomKills} OOM kills, ${app.failures} failures${shed > 0 ? `, ${shed} shed (503)` : ''}`,
    baseline: `bare Express, no limit: RSS ${bareExpress.peakRssMB} MB`,
    ratio: undefined,
    target: 'within the compose limit: no OOM kill, no failure',
    pass: cgroup?.oomKills === 0 && app.failures === 0,
  };
}

const MiB = 2 ** 20;

function connectionCostTarget({ connectionCost, settings }: Results): Target {
  const { inFlight, idle, ceiling, healthProbeMiB } = connectionCost;
  const semi = semiSpaceMiB(settings.nodeOptions);
  return {
    figure: `connection cost, under ${settings.appMemoryLimitMiB} MiB`,
    measured: `at its ceiling: ${ceiling.outsideHeapKiB} KiB + ${ceiling.heapKiB} KiB of heap each; before the first, ${idle.outsideHeapBaseMiB} MiB + ${idle.heapBaseMiB} MiB of heap, and a ${healthProbeMiB} MiB health probe`,
    baseline: `idle: ${idle.outsideHeapKiB} + ${idle.heapKiB} KiB; a request in flight: ${inFlight.outsideHeapKiB} + ${inFlight.heapKiB} KiB`,
    ratio: undefined,
    target: `≤ ${CONNECTION_BYTES / 1024} + ${CONNECTION_HEAP_BYTES / 1024} KiB; ≤ ${RESERVED_BYTES / MiB} + ${RESERVED_HEAP_BYTES / MiB} MiB with a ${semi} MB semi-space and the 1 MiB log buffer`,
    pass: connectionBudgetProblems(connectionCost, settings.nodeOptions).length === 0,
  };
}

export function targetsOf(results: Results): Target[] {
  const { throughput, scrape, memory, startup, shutdown, stopUnderLoad, images } = results;
  const app = startup.find((entry) => entry.name === 'app');
  const bare = startup.at(-1);
  return [
    ...throughputTargets(throughput),
    connectionCostTarget(results),
    memoryTarget('memory, 100 connections, slow stdout', memory.app, memory.bareExpress),
    memoryTarget('memory, same load, stdout never read', memory.appStalled, memory.bareExpress),
    memoryTarget(
      'memory, 100 connections × 10 pipelined, slow stdout',
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
