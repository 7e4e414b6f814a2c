import autocannon from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_BUNDLE, startHealthy, type NodeSettings, type ServerProcess, type Stdout } from './server-process.ts';
import { median, round } from './stats.ts';

/** A server the throughput rounds measure. */
export interface Contender {
  name: string;
  file: string;
  node: NodeSettings;
  /** Runs under this memory limit, as in its container. */
  memoryLimitMiB?: number;
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

export interface ThroughputRow {
  shape: string;
  sink: LogSink;
  path: string;
  contender: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * Against each other contender of the same sink: the median over the rounds of this one's req/s divided
   * by the other's in the same round.
   */
  ratios: Record<string, number>;
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
  paths: string[];
  contenders: Contender[];
}

// Every contender on /dev/null, on both routes; those that log, again with their log read through a pipe,
// on /api/time: reading the log is the work that differs between them.
function groupsOf(contenders: Contender[]): Group[] {
  return [
    { sink: '/dev/null', paths: ['/api/time', '/'], contenders },
    { sink: 'pipe', paths: ['/api/time'], contenders: contenders.filter((contender) => contender.logs) },
  ];
}

const STDOUT_OF: Record<LogSink, Stdout> = { '/dev/null': 'discard', pipe: 'reader' };

/** Each round runs every contender once, in an order rotated from round to round, so drift hits all alike. */
async function measureGroup(group: Group, settings: LoadSettings, log: (line: string) => void) {
  const servers = new Map<string, ServerProcess>();
  const shots = new Map<string, Shot[]>();
  const key = (path: string, name: string) => `${path} ${name}`;
  try {
    for (const { name, file, node, memoryLimitMiB } of group.contenders) {
      const limit = memoryLimitMiB === undefined ? {} : { memoryLimitMiB };
      servers.set(name, await startHealthy({ file, node, ...limit, stdout: STDOUT_OF[group.sink] }));
    }
    const urlOf = (name: string, path: string) => `http://127.0.0.1:${String(servers.get(name)?.port)}${path}`;
    for (const { name } of group.contenders) {
      for (const path of group.paths)
        await shoot(urlOf(name, path), settings.warmupSeconds, settings.connections, settings.pipelining);
    }
    const names = group.contenders.map(({ name }) => name);
    for (let round = 0; round < settings.rounds; round += 1) {
      const order = names.map((_, index) => names[(index + round) % names.length] ?? '');
      for (const path of group.paths) {
        for (const name of order) {
          // A moment for the previous contender's sockets to close and its process to go idle.
          await sleep(300);
          const shot = await shoot(urlOf(name, path), settings.seconds, settings.connections, settings.pipelining);
          log(
            `  ${settings.shape}, ${group.sink}, round ${round + 1} ${path.padEnd(9)} ${name.padEnd(22)} ${Math.round(shot.rps)} req/s, p99 ${shot.p99Ms} ms`,
          );
          shots.set(key(path, name), [...(shots.get(key(path, name)) ?? []), shot]);
        }
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  return group.paths.flatMap((path) => {
    const of = (name: string) => shots.get(key(path, name)) ?? [];
    return group.contenders.map(({ name }): ThroughputRow => {
      const own = of(name);
      const ratioTo = (other: string) =>
        round(median(own.map((shot, index) => shot.rps / (of(other)[index]?.rps ?? Number.NaN))));
      return {
        shape: settings.shape,
        sink: group.sink,
        path,
        contender: name,
        rps: Math.round(median(own.map((shot) => shot.rps))),
        p50Ms: median(own.map((shot) => shot.p50Ms)),
        p99Ms: median(own.map((shot) => shot.p99Ms)),
        ratios: Object.fromEntries(group.contenders.map((other) => [other.name, ratioTo(other.name)])),
        failures: own.reduce((sum, shot) => sum + shot.non2xx + shot.errors, 0),
      };
    });
  });
}

export async function measureThroughput(
  contenders: Contender[],
  settings: LoadSettings,
  log: (line: string) => void,
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const group of groupsOf(contenders)) rows.push(...(await measureGroup(group, settings, log)));
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
