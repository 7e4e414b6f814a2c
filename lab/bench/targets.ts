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
import { AGREEMENT, type Rerun } from './rerun.ts';

// The targets a bench run is held to: each figure against its baseline from the same run, and whether it met it.

type Results = Omit<BenchReport, 'targets' | 'rerun'>;

function row(rows: ThroughputRow[], { shape, sink, contender }: Pick<ThroughputRow, 'shape' | 'sink' | 'contender'>) {
  return rows.find((entry) => entry.shape === shape && entry.sink === sink && entry.contender === contender);
}

const restarted = ({ restarts }: ThroughputRow) => (restarts === 0 ? '' : `; killed and restarted ${restarts} times`);

/** How far the interval's far end may fall past a target the median meets: the width of the noise allowed. */
const INTERVAL_SLACK = 0.05;

/**
 * The app as shipped against: itself on Node's defaults (what its flags cost, ≥ 0.90×), the app a user would
 * write instead (≥ 1.00×), and a bare Express app building the same body (≥ 0.70× under overload, with a p99
 * at most 1.5× its own); the first two in every load shape, with the log sent to /dev/null and read through a
 * pipe. Met when the median meets the target and the interval's far end is within 0.05 of it.
 */
const THROUGHPUT_TARGETS = [
  { against: APP_ON_DEFAULTS, of: 'throughput', target: 0.9, sinks: ['/dev/null', 'pipe'], overloadOnly: false },
  { against: PEER, of: 'throughput', target: 1.0, sinks: ['/dev/null', 'pipe'], overloadOnly: false },
  { against: BARE_EXPRESS, of: 'throughput', target: 0.7, sinks: ['/dev/null'], overloadOnly: true },
  { against: BARE_EXPRESS, of: 'p99', target: 1.5, sinks: ['/dev/null'], overloadOnly: true },
] as const;

function throughputTargets(rows: ThroughputRow[]): Target[] {
  const shapes = [...new Set(rows.map((entry) => entry.shape))];
  const overload = shapes.at(-1);
  return shapes.flatMap((shape) =>
    THROUGHPUT_TARGETS.filter((entry) => !entry.overloadOnly || shape === overload).flatMap(
      ({ against, of, target, sinks }) =>
        sinks.flatMap((sink) => {
          const app = row(rows, { shape, sink, contender: APP });
          const other = row(rows, { shape, sink, contender: against });
          const estimate = of === 'p99' ? app?.p99Ratios[against] : app?.ratios[against];
          if (app === undefined || other === undefined || estimate === undefined) return [];
          const lowerIsBetter = of === 'p99';
          const meets = lowerIsBetter
            ? estimate.median <= target && estimate.high <= target + INTERVAL_SLACK
            : estimate.median >= target && estimate.low >= target - INTERVAL_SLACK;
          return [
            {
              figure: `GET /api/time ${of === 'p99' ? 'p99 of all rounds' : 'req/s'} vs ${against}, ${shape}, log to ${sink}`,
              measured: `${app.rps} req/s, p99 ${app.p99Ms} ms, ${app.cpuUsPerRequest} µs CPU/request${restarted(app)}`,
              baseline: `${other.rps} req/s, p99 ${other.p99Ms} ms, ${other.cpuUsPerRequest} µs CPU/request${restarted(other)}`,
              ratio: estimate.median,
              interval: { low: estimate.low, high: estimate.high },
              target: `${lowerIsBetter ? '≤' : '≥'} ${target.toFixed(2)}×`,
              pass: meets && app.failures === 0 && app.restarts === 0,
            },
          ];
        }),
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
      figure: `${image.image} start-up (docker start → 200)`,
      measured: `${image.startupMs} ms, docker stop ${image.stopMs} ms`,
      baseline: `node:http in the image: ${image.bareStartupMs} ms, stop ${image.bareStopMs} ms`,
      ratio: image.startupRatio.median,
      interval: { low: image.startupRatio.low, high: image.startupRatio.high },
      target: '≤ 2.00×',
      pass: image.startupRatio.median <= 2 && image.startupRatio.high <= 2 + INTERVAL_SLACK,
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
      ...(app === undefined ? {} : { interval: { low: app.low, high: app.high } }),
      target: '≤ 2.00×',
      pass: app !== undefined && app.ratio <= 2 && app.high <= 2 + INTERVAL_SLACK,
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

/** A rerun agrees when every ratio the two runs share moved by at most AGREEMENT. */
export function rerunTarget(rerun: Rerun): Target {
  if ('skipped' in rerun)
    return {
      figure: 'rerun agreement',
      measured: rerun.skipped,
      baseline: '—',
      ratio: undefined,
      target: '—',
      pass: undefined,
    };
  const moved = rerun.rows.filter((row) => Math.abs(row.change) > AGREEMENT);
  return {
    figure: `rerun agreement (${rerun.rows.length} ratios)`,
    measured: `largest change ${(rerun.worst * 100).toFixed(1)} %; ${moved.length} beyond ±${AGREEMENT * 100} %`,
    baseline: `the run of ${rerun.previous.date.slice(0, 16).replace('T', ' ')} UTC (${rerun.previous.revision})`,
    ratio: undefined,
    target: `every ratio within ±${AGREEMENT * 100} %`,
    pass: rerun.rows.length > 0 && moved.length === 0,
  };
}
