// `npm run bench:flags`: what each of the images' Node flags buys and costs, the table docs/performance.md
// keeps its choice of flags by. Every variant is the app's bundle; only node's flags differ.
//
//   throughput: the overload shape (100 connections × 10 pipelined), rounds interleaved as in npm run bench,
//     each variant in a cgroup with compose.yaml's limits (1 CPU, 128 MiB); ratios to the flags as shipped;
//   start-up: spawn → first 200 on /healthz, alternating, against a bare node:http server;
//   memory: the cgroup's peak in those rounds, and each variant alone under 64 MiB (the floor the images
//     promise) for the same overload: OOM kills, failures, peak.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { buildBaselines } from './baselines/build.ts';
import { cgroupUnavailable } from './cgroup.ts';
import { measureThroughput, type LoadSettings } from './load.ts';
import { describeMachine, pinSelf } from './machine.ts';
import { measureMemory, type MemoryResult } from './memory.ts';
import { composeLimits } from './overload/container.ts';
import { APP_BUNDLE, PRODUCTION_NODE_FLAGS, PRODUCTION_NODE_OPTIONS } from './server-process.ts';
import { measureStartup } from './startup.ts';
import { wrkUnavailable } from './wrk.ts';
import { MEMORY_FLOOR_MIB } from '../../src/lifecycle/connection-limits.ts';
import { textTable } from '../lib/tables.ts';
import { FLAGS_FILE, SHIPPED, flagsTable, variantsOf, type FlagsReport, type FlagsRow } from './flags-report.ts';

const quick = process.argv.includes('--quick');
const load: LoadSettings = {
  shape: 'overload (100 connections × 10 pipelined)',
  connections: 100,
  pipelining: 10,
  ...(quick
    ? { warmupSeconds: 2, seconds: 2, rounds: 4, processes: 2 }
    : { warmupSeconds: 8, seconds: 2, rounds: 12, processes: 3 }),
};
const floorSeconds = quick ? 5 : 15;
const startupRuns = quick ? 3 : 15;

const unavailable = cgroupUnavailable() ?? wrkUnavailable();
if (unavailable !== undefined) throw new Error(`npm run bench:flags cannot run here: ${unavailable}`);
if (!existsSync(APP_BUNDLE)) throw new Error(`${APP_BUNDLE} is missing: run npm run build first`);
pinSelf();
const started = performance.now();
const compose = composeLimits();
const limits = { memoryMiB: compose.memoryMiB, cpus: Number(compose.cpus) };
const variants = variantsOf({ flags: PRODUCTION_NODE_FLAGS, nodeOptions: PRODUCTION_NODE_OPTIONS });
const log = (line: string) => process.stdout.write(`${line}\n`);
const baselines = await buildBaselines();

log(`Throughput, ${load.shape}, ${load.rounds} rounds × ${load.seconds} s, ${variants.length} variants…`);
const throughput = await measureThroughput(
  variants.map(({ name, node }) => ({ name, file: APP_BUNDLE, node, logs: false })),
  load,
  limits,
  log,
);
log(`Start-up, ${startupRuns} runs each…`);
const startup = await measureStartup(
  [
    ...variants.map(({ name, node }) => ({ name, file: APP_BUNDLE, node })),
    { name: 'bare node:http', file: baselines.bareHttp, node: 'defaults' as const },
  ],
  startupRuns,
);
log(`Under ${MEMORY_FLOOR_MIB} MiB, ${floorSeconds} s of the same load each…`);
const floor: Record<string, MemoryResult> = {};
for (const { name, node } of variants) {
  floor[name] = await measureMemory(
    { file: APP_BUNDLE, node, memoryLimitMiB: MEMORY_FLOOR_MIB },
    {
      seconds: floorSeconds,
      connections: load.connections,
      pipelining: load.pipelining,
      readBytes: 64 * 1024,
      everyMs: 50,
    },
  );
}

const rows: FlagsRow[] = variants.map(({ name, node }) => {
  const row = throughput.find((entry) => entry.contender === name && entry.sink === '/dev/null');
  const start = startup.find((entry) => entry.name === name);
  const memory = floor[name];
  const nan = { median: Number.NaN, low: Number.NaN, high: Number.NaN };
  return {
    name,
    flags: [...node.flags, node.nodeOptions].join(' ').trim() || '(none)',
    throughput: row?.ratios[SHIPPED] ?? nan,
    p99: row?.p99Ratios[SHIPPED] ?? nan,
    cpuUsPerRequest: row?.cpuUsPerRequest ?? Number.NaN,
    rps: row?.rps ?? Number.NaN,
    p99Ms: row?.p99Ms ?? Number.NaN,
    peakMiB128: row?.peakMiB,
    startupMs: start?.medianMs ?? Number.NaN,
    startupRatio: start?.ratio ?? Number.NaN,
    floor: {
      peakMiB: memory?.cgroup?.peakMiB,
      oomKills: memory?.cgroup?.oomKills,
      died: memory?.died ?? true,
      failures: memory?.failures ?? Number.NaN,
      shed: memory?.shed ?? 0,
    },
  };
});

log(`\n${textTable(flagsTable(rows))}\n`);
const report: FlagsReport = {
  command: `npm run bench:flags${quick ? ' -- --quick' : ''}`,
  durationSeconds: Math.round((performance.now() - started) / 1000),
  machine: describeMachine(),
  settings: { load, limits, floorSeconds, floorMiB: MEMORY_FLOOR_MIB, startupRuns },
  rows,
};
if (quick) log(`${FLAGS_FILE} left alone: --quick figures are for trying changes only`);
else {
  mkdirSync('lab/reports', { recursive: true });
  writeFileSync(FLAGS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  log(`Written: ${FLAGS_FILE}`);
}
