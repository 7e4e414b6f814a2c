import autocannon from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_BUNDLE, startHealthy, type NodeSettings, type ServerProcess, type Stdout } from './server-process.ts';
import {
  median,
  medianWithInterval,
  pooledQuantile,
  pooledQuantileRatio,
  round,
  rounded,
  type Estimate,
  type Histogram,
} from './stats.ts';
import { emptyHistogram, wrk } from './wrk.ts';

/** A server the throughput rounds measure. */
export interface Contender {
  name: string;
  file: string;
  node: NodeSettings;
  /** Whether it logs each request: only those are measured again with their log read through a pipe. */
  logs: boolean;
}

/** Where the servers' stdout goes: /dev/null, or a pipe read by another process, as Docker's log driver. */
type LogSink = '/dev/null' | 'pipe';

export interface LoadSettings {
  /** What the shape is called in the tables: "10 connections", "overload". */
  shape: string;
  connections: number;
  /** Requests each connection sends without waiting for the answers (1: none). */
  pipelining: number;
  warmupSeconds: number;
  seconds: number;
  rounds: number;
  /**
   * How many times each contender is started afresh, the rounds split evenly between its processes (each
   * warmed up first). A process settles differently at every start and keeps that for all its rounds: with
   * one process a run, every ratio of a run moved by as much together.
   */
  processes: number;
}

/** Every contender runs in a cgroup with the app's container limits (compose.yaml's). */
export interface ContainerLimits {
  memoryMiB: number;
  cpus: number;
}

export interface Shot {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Of the non-2xx, those answered 503: shed by the server's admission control, not failed. */
  unavailable: number;
  errors: number;
}

/** One contender's round: wrk's figures and what the server's cgroup spent on them. */
interface Round {
  rps: number;
  /** Its batches' latencies, to be pooled with the other rounds'. */
  latency: Histogram;
  /** CPU time per answered request, µs: what the server spent, whatever the generator managed to send. */
  cpuUs: number;
  /** The share of the round the server's CPU was busy (1: one whole CPU). */
  busy: number;
  failures: number;
}

export interface ThroughputRow {
  shape: string;
  sink: LogSink;
  path: string;
  contender: string;
  /** Medians over the rounds; latencies of every round's batches pooled. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  busy: number;
  /** The high-water mark of its cgroup's memory over every round, the highest of its processes'. */
  peakMiB: number | undefined;
  /** Times it had died (OOM-killed, or aborted) and was started again, as compose's restart policy would. */
  restarts: number;
  /**
   * Against each other contender of the same sink: this one's req/s over the other's in the same round,
   * the median over the rounds with its 95 % interval.
   */
  ratios: Record<string, Estimate>;
  /**
   * p99 latency (lower is better): of this one's rounds pooled over the other's, the same rounds, with its
   * 95 % interval.
   */
  p99Ratios: Record<string, Estimate>;
  /** The same for requests per CPU-second, the server's own cost: little moved by the machine's load. */
  perCpuRatios: Record<string, Estimate>;
  failures: number;
}

export async function shoot(url: string, seconds: number, connections: number, pipelining = 1): Promise<Shot> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining });
  return {
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    unavailable: result.statusCodeStats?.['503']?.count ?? 0,
    errors: result.errors,
  };
}

interface Group {
  sink: LogSink;
  contenders: Contender[];
}

// Every contender on /dev/null; those that log, again with their log read through a pipe: reading the log
// is the work that differs between them.
function groupsOf(contenders: Contender[]): Group[] {
  return [
    { sink: '/dev/null', contenders },
    { sink: 'pipe', contenders: contenders.filter((contender) => contender.logs) },
  ];
}

const STDOUT_OF: Record<LogSink, Stdout> = { '/dev/null': 'discard', pipe: 'reader' };
const PATH = '/api/time';

const running = (server: ServerProcess) => server.child.exitCode === null && server.child.signalCode === null;

async function runRound(server: ServerProcess, settings: LoadSettings, seconds: number): Promise<Round> {
  const cpuBefore = server.cpuSeconds() ?? Number.NaN;
  const url = `http://127.0.0.1:${server.port}${PATH}`;
  const result = await wrk(url, seconds, settings.connections, settings.pipelining).catch((error: unknown) => {
    // wrk gives up when it cannot connect: the server died before the round (it is restarted for the next).
    if (running(server)) throw error;
    return {
      requests: 0,
      seconds,
      latency: emptyHistogram(),
      non2xx: 0,
      errors: 1,
    };
  });
  const cpu = (server.cpuSeconds() ?? Number.NaN) - cpuBefore;
  return {
    rps: result.requests / result.seconds,
    latency: result.latency,
    cpuUs: (cpu * 1e6) / result.requests,
    busy: cpu / result.seconds,
    failures: result.non2xx + result.errors,
  };
}

type Figure = (entry: Round) => number;

/** The shots' mean figures, and their latencies pooled. */
function meanOf(shots: Round[]): Round {
  type Field = 'rps' | 'cpuUs' | 'busy';
  const mean = (field: Field) => shots.reduce((sum, shot) => sum + shot[field], 0) / shots.length;
  const latency = emptyHistogram();
  for (const shot of shots) {
    shot.latency.counts.forEach((count, bucket) => {
      latency.counts[bucket] = (latency.counts[bucket] ?? 0) + count;
    });
  }
  return {
    rps: mean('rps'),
    latency,
    cpuUs: mean('cpuUs'),
    busy: mean('busy'),
    failures: shots.reduce((sum, shot) => sum + shot.failures, 0),
  };
}

/**
 * A shot rescaled by how the first contender's neighbouring runs compare with its round's mean: the shot
 * as it would have measured at the round's average conditions. Failures, and the latencies to be pooled,
 * stay as counted.
 */
function relativeTo(shot: Round, neighbours: Round, roundMean: Round): Round {
  const scale = (field: 'rps' | 'cpuUs') => (shot[field] / neighbours[field]) * roundMean[field];
  return {
    rps: scale('rps'),
    latency: shot.latency,
    cpuUs: scale('cpuUs'),
    busy: shot.busy,
    failures: shot.failures,
  };
}

/**
 * Rounds of a sandwich: the first contender (the app), then each other one, the first again between each, as
 * A B A C A D A. Each other contender's figures are taken relative to the mean of the two runs of the first on
 * either side of it, which cancels what the machine's load did over those seconds if it changed steadily;
 * ratios between any two are ratios of those relative figures, within a round. The order of the others is
 * rotated from round to round.
 */
async function measureGroup(
  group: Group,
  settings: LoadSettings,
  limits: ContainerLimits,
  log: (line: string) => void,
) {
  const servers = new Map<string, ServerProcess>();
  const rounds = new Map<string, Round[]>();
  const deaths = new Map<string, number>();
  const peaks = new Map<string, number>();
  // Read before a process is replaced: its cgroup goes with it.
  const notePeak = (name: string, server: ServerProcess) => {
    const peak = server.cgroupMemory()?.peakMiB;
    if (peak !== undefined) peaks.set(name, Math.max(peak, peaks.get(name) ?? 0));
  };
  try {
    const optionsOf = (name: string) => {
      const contender = group.contenders.find((entry) => entry.name === name);
      if (contender === undefined) throw new Error(`no contender ${name}`);
      const { file, node } = contender;
      const stdout = STDOUT_OF[group.sink];
      return { file, node, memoryLimitMiB: limits.memoryMiB, cpus: limits.cpus, first: true, stdout };
    };
    // A fresh process in place of the contender's current one, dead or alive.
    const replace = async (name: string) => {
      const previous = servers.get(name);
      if (previous !== undefined) {
        notePeak(name, previous);
        await previous.stop();
      }
      const server = await startHealthy(optionsOf(name));
      servers.set(name, server);
      return server;
    };
    const shoot = async (name: string, seconds: number) => {
      let server = servers.get(name);
      if (server === undefined) throw new Error(`no server for ${name}`);
      if (!running(server)) {
        // As compose's `restart: unless-stopped` would: a server killed (for want of memory, say) is started
        // again, and counted.
        const { oomKills = 0 } = server.cgroupMemory() ?? {};
        log(`  ${name} had exited (${oomKills} OOM kills); started again`);
        deaths.set(name, (deaths.get(name) ?? 0) + 1);
        server = await replace(name);
      }
      // A moment for the previous contender's sockets to close and its process to go idle.
      await sleep(300);
      return runRound(server, settings, seconds);
    };
    const startAll = async () => {
      for (const { name } of group.contenders) await replace(name);
      // Long enough for V8 to have optimised the hot paths: on one thread it compiles between requests.
      for (const { name } of group.contenders) await shoot(name, settings.warmupSeconds);
    };
    const [first, ...others] = group.contenders.map(({ name }) => name);
    if (first === undefined) return [];
    const roundsPerProcess = Math.ceil(settings.rounds / settings.processes);
    for (let index = 0; index < settings.rounds; index += 1) {
      if (index % roundsPerProcess === 0) {
        if (index > 0) log(`  ${settings.shape}, ${group.sink}: every contender started afresh`);
        await startAll();
      }
      const order = others.map((_, offset) => others[(offset + index) % others.length] ?? '');
      const sandwich: [string, Round][] = [[first, await shoot(first, settings.seconds)]];
      for (const name of order) {
        sandwich.push([name, await shoot(name, settings.seconds)], [first, await shoot(first, settings.seconds)]);
      }
      for (const [name, shot] of sandwich) {
        log(
          `  ${settings.shape}, ${group.sink}, round ${index + 1} ${name.padEnd(32)} ${Math.round(shot.rps)} req/s, p99 ${round(pooledQuantile([shot.latency], 0.99) / 1000)} ms, ${Math.round(shot.cpuUs)} µs CPU/request, busy ${Math.round(shot.busy * 100)} %`,
        );
      }
      // The first contender's own figures: the mean of its runs in the round.
      const firsts = sandwich.filter(([name]) => name === first).map(([, shot]) => shot);
      rounds.set(first, [...(rounds.get(first) ?? []), meanOf(firsts)]);
      sandwich.forEach(([name, shot], position) => {
        if (name === first) return;
        const before = sandwich[position - 1]?.[1];
        const after = sandwich[position + 1]?.[1];
        if (before === undefined || after === undefined) return;
        rounds.set(name, [...(rounds.get(name) ?? []), relativeTo(shot, meanOf([before, after]), meanOf(firsts))]);
      });
    }
  } finally {
    for (const [name, server] of servers) notePeak(name, server);
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  const of = (name: string) => rounds.get(name) ?? [];
  // This contender's rounds against each one's (itself included), by `estimate`.
  const ratiosOf = (own: Round[], estimate: (own: Round[], other: Round[]) => Estimate) =>
    Object.fromEntries(group.contenders.map(({ name }) => [name, rounded(estimate(own, of(name)))]));
  // The median of the rounds' ratios.
  const perRound = (pick: Figure) => (own: Round[], other: Round[]) =>
    medianWithInterval(
      own.map((entry, index) => pick(entry) / pick(other[index] ?? entry)),
      settings.processes,
    );
  const latencies = (rounds: Round[]) => rounds.map((entry) => entry.latency);
  const pooled = (rounds: Round[], quantile: number) => pooledQuantile(latencies(rounds), quantile) / 1000;
  return group.contenders.map(({ name }): ThroughputRow => {
    const own = of(name);
    const middle = (pick: Figure) => median(own.map(pick));
    return {
      shape: settings.shape,
      sink: group.sink,
      path: PATH,
      contender: name,
      rps: Math.round(middle((entry) => entry.rps)),
      p50Ms: round(pooled(own, 0.5)),
      p99Ms: round(pooled(own, 0.99)),
      cpuUsPerRequest: round(
        middle((entry) => entry.cpuUs),
        1,
      ),
      busy: round(middle((entry) => entry.busy)),
      peakMiB: peaks.get(name),
      ratios: ratiosOf(
        own,
        perRound((entry) => entry.rps),
      ),
      p99Ratios: ratiosOf(own, (mine, other) =>
        pooledQuantileRatio(latencies(mine), latencies(other), 0.99, settings.processes),
      ),
      perCpuRatios: ratiosOf(
        own,
        perRound((entry) => 1 / entry.cpuUs),
      ),
      failures: own.reduce((sum, entry) => sum + entry.failures, 0),
      restarts: deaths.get(name) ?? 0,
    };
  });
}

export async function measureThroughput(
  contenders: Contender[],
  settings: LoadSettings,
  limits: ContainerLimits,
  log: (line: string) => void,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const group of groupsOf(contenders)) rows.push(...(await measureGroup(group, settings, limits, log)));
  return rows;
}

export interface ScrapeResult {
  scrapes: number;
  p50Ms: number;
  p99Ms: number;
  /** /api/time's throughput meanwhile. */
  rps: number;
}

/** GET /metrics once every 100 ms, as a busy Prometheus might, while the app is under `settings`' load. */
export async function measureScrapeUnderLoad(settings: LoadSettings): Promise<ScrapeResult> {
  const server = await startHealthy({ file: APP_BUNDLE, node: 'images' });
  const latencies: number[] = [];
  const load = { running: true };
  try {
    const scraping = (async () => {
      while (load.running) {
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
        await response.text();
        if (response.status === 200) latencies.push(performance.now() - started);
        await sleep(100);
      }
    })();
    const shot = await shoot(
      `http://127.0.0.1:${server.port}/api/time`,
      settings.seconds * settings.rounds,
      settings.connections,
      settings.pipelining,
    );
    load.running = false;
    await scraping;
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (quantile: number) =>
      round(sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? NaN, 1);
    return { scrapes: latencies.length, p50Ms: at(0.5), p99Ms: at(0.99), rps: Math.round(shot.rps) };
  } finally {
    load.running = false;
    await server.stop();
  }
}
