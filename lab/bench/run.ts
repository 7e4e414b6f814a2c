// `npm run bench`: the app against bare node:http and bare Express, side by side on this machine.
// Options: --images (also time the container images), --quick (short runs, for trying changes).
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { buildBaselines } from './baselines/build.ts';
import { measureImages, type ImagesResult } from './images.ts';
import { measureScrapeUnderLoad, measureThroughput, type Contender, type LoadSettings } from './load.ts';
import { describeMachine, pinSelf } from './machine.ts';
import { measureMemory, type MemorySettings } from './memory.ts';
import { APP, APP_ON_DEFAULTS, BARE_EXPRESS, BARE_HTTP, PEER } from './contenders.ts';
import { REPORT_FILE, writeReport } from './report.ts';
import { startupTable, targetsTable, throughputTable } from './report-tables.ts';
import { rerunTarget, targetsOf } from './targets.ts';
import { compareWith, readPrevious } from './rerun.ts';
import { APP_BUNDLE, PRODUCTION_NODE_FLAGS, PRODUCTION_NODE_OPTIONS } from './server-process.ts';
import { measureShutdown, type ShutdownSettings } from './shutdown.ts';
import { measureStartup } from './startup.ts';
import {
  CONNECTION_COST_FILE,
  CONNECTION_COST_STEPS,
  measureConnectionCost,
  writeConnectionCost,
} from './connection-cost.ts';
import { cgroupUnavailable } from './cgroup.ts';
import { wrkUnavailable } from './wrk.ts';
import { composeLimits } from './overload/container.ts';
import { localProcess, measureStopUnderLoad, type StopUnderLoadSettings } from './stop-under-load.ts';
import { textTable } from '../lib/tables.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const command = ['npm run bench', ...(args.size > 0 ? ['--', ...args] : [])].join(' ');
// Today's shape, and overload: every connection keeps ten requests in the pipe, where what the app adds to
// each request shows most. Many short rounds rather than a few long ones: each ratio is taken within a round,
// and the interval around their median narrows with their number (as 1/√n): with 12 rounds the app's ratios
// had intervals of ±4 to 8 %, too wide for two runs to agree within ±5 %. Four processes of each contender,
// five rounds each: with one process a run, a third run moved every overload ratio 5 to 12 % together.
const rounds = quick
  ? { warmupSeconds: 2, seconds: 2, rounds: 4, processes: 2 }
  : { warmupSeconds: 8, seconds: 2, rounds: 20, processes: 4 };
const loads: LoadSettings[] = [
  { shape: '10 connections', connections: 10, pipelining: 1, ...rounds },
  { shape: 'overload (100 connections × 10 pipelined)', connections: 100, pipelining: 10, ...rounds },
];
const memory: MemorySettings = {
  seconds: quick ? 3 : 10,
  connections: 100,
  pipelining: 1,
  readBytes: 64 * 1024,
  everyMs: 50,
};
const startupRuns = quick ? 5 : 40;
const imageStartupRuns = quick ? 3 : 15;
const connectionCostSettings = { ...CONNECTION_COST_STEPS, steps: quick ? 2 : CONNECTION_COST_STEPS.steps };
const shutdown: ShutdownSettings = { inFlight: 50, delayMs: 1000, runs: quick ? 1 : 3 };
const stopUnderLoad: StopUnderLoadSettings = { connections: 50, warmMs: 2_000, runs: quick ? 1 : 3 };
const log = (line: string) => {
  process.stdout.write(`${line}\n`);
};

/** The commit measured, marked when the work tree has changes the report would not show. */
function revision(): string {
  const git = (...gitArgs: string[]) => execFileSync('git', gitArgs, { encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') === '' ? '' : ' + changes'}`;
  } catch {
    return 'unknown';
  }
}

const started = performance.now();
if (!existsSync(APP_BUNDLE)) throw new Error(`${APP_BUNDLE} is missing: run npm run build first`);
pinSelf();
const machine = describeMachine();
log(
  `Node ${machine.node} on ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.pinning}`,
);
const baselines = await buildBaselines();
// The app as it ships: the images' Node flags, under compose.yaml's limits (the memory limit sizes its heap).
// The throughput rounds give every contender the same limits: a cgroup with 1 CPU and 128 MiB each.
const unavailable = cgroupUnavailable() ?? wrkUnavailable();
if (unavailable !== undefined) throw new Error(`npm run bench cannot run here: ${unavailable}`);
const compose = composeLimits();
const appMemoryLimitMiB = compose.memoryMiB;
const limits = { memoryMiB: compose.memoryMiB, cpus: Number(compose.cpus) };
const app = { file: APP_BUNDLE, node: 'images', memoryLimitMiB: appMemoryLimitMiB } as const;
const bareExpress = { file: baselines.bareExpress, node: 'defaults' } as const;
const contenders: Contender[] = [
  { name: APP, file: APP_BUNDLE, node: 'images', logs: true },
  { name: APP_ON_DEFAULTS, file: APP_BUNDLE, node: 'defaults', logs: true },
  { name: PEER, file: baselines.peer, node: 'defaults', logs: true },
  { name: BARE_EXPRESS, ...bareExpress, logs: false },
  { name: BARE_HTTP, file: baselines.bareHttp, node: 'defaults', logs: false },
];
try {
  const throughput = [];
  for (const load of loads) {
    log(`\nThroughput, ${load.shape} (${load.rounds} rounds × ${load.seconds} s)…`);
    throughput.push(...(await measureThroughput(contenders, load, limits, log)));
  }
  const overload = loads[1] ?? loads[0];
  if (overload === undefined) throw new Error('no load shape');
  log(`/metrics scraped every 100 ms during ${overload.shape}…`);
  const scrape = await measureScrapeUnderLoad(overload);
  log(`Memory under overload (${memory.seconds} s, slow stdout)…`);
  const pipelined = { ...memory, pipelining: overload.pipelining };
  const memoryResults = {
    app: await measureMemory(app, memory),
    // Nothing read at all while the load lasts: the worst a log reader can do.
    appStalled: await measureMemory(app, { ...memory, readBytes: 0 }),
    bareExpress: await measureMemory(bareExpress, memory),
    appPipelined: await measureMemory(app, pipelined),
    bareExpressPipelined: await measureMemory(bareExpress, pipelined),
  };
  log(`Start-up (${startupRuns} runs each)…`);
  const startup = await measureStartup(
    [
      // A plain process for each: a cgroup's set-up would be counted in the app's start-up alone.
      { name: APP, file: APP_BUNDLE, node: 'images' },
      { name: BARE_EXPRESS, ...bareExpress },
      { name: BARE_HTTP, file: baselines.bareHttp, node: 'defaults' },
    ],
    startupRuns,
  );
  log(`Connection cost (${connectionCostSettings.steps} steps of ${connectionCostSettings.step} connections)…`);
  const connectionCostRun = { ...connectionCostSettings, memoryLimitMiB: appMemoryLimitMiB };
  const connectionCost = await measureConnectionCost(connectionCostRun);
  log(`Shutdown (${shutdown.inFlight} requests in flight)…`);
  const shutdownResult = await measureShutdown(shutdown);
  log(`SIGTERM under load (${stopUnderLoad.connections} keep-alive clients, ${stopUnderLoad.runs} runs)…`);
  const stopUnderLoadRuns = await measureStopUnderLoad(localProcess, stopUnderLoad);
  let images: ImagesResult = { skipped: 'not requested; add --images' };
  if (args.has('--images')) {
    log('Images…');
    images = await measureImages(imageStartupRuns, stopUnderLoad, log);
    if ('skipped' in images) log(`Images skipped: ${images.skipped}`);
  }

  const results = {
    command,
    revision: revision(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    machine,
    settings: {
      loads,
      memory,
      startupRuns,
      imageStartupRuns,
      shutdown,
      stopUnderLoad,
      nodeOptions: PRODUCTION_NODE_OPTIONS,
      nodeFlags: PRODUCTION_NODE_FLAGS,
      appMemoryLimitMiB,
      limits,
    },
    connectionCost,
    throughput,
    scrape,
    memory: memoryResults,
    startup,
    shutdown: shutdownResult,
    stopUnderLoad: stopUnderLoadRuns,
    images,
  };
  const measured = { ...results, targets: targetsOf(results) };
  const rerun = compareWith(readPrevious(REPORT_FILE), measured);
  const report = { ...measured, targets: [...measured.targets, rerunTarget(rerun)], rerun };
  log(
    `\n${textTable(targetsTable(report.targets))}\n\n${textTable(throughputTable(throughput))}\n\n${textTable(startupTable(startup))}\n`,
  );
  if (quick) {
    log(`${REPORT_FILE} and docs left alone: --quick figures are for trying changes only`);
  } else {
    writeReport(report);
    writeConnectionCost({ settings: connectionCostRun, ...connectionCost });
    log(`Written: ${REPORT_FILE}, ${CONNECTION_COST_FILE}`);
    // The docs are rendered from the committed reports by their own command, run as a process: the
    // benchmark measures, the generators render, and neither imports the other.
    execFileSync(process.execPath, ['lab/docs/generate.ts'], { stdio: 'inherit' });
  }
} finally {
  rmSync(baselines.folder, { recursive: true, force: true });
}
