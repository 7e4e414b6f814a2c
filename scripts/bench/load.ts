import autocannon from 'autocannon';
import type { Baselines } from './baselines/build.ts';
import { APP_BUNDLE, startHealthy, type ServerProcess } from './server-process.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, round } from './stats.ts';

export const CONTENDERS = ['app', 'bare Express', 'bare node:http'] as const;
export type Contender = (typeof CONTENDERS)[number];
export const PATHS = ['/api/time', '/'] as const;

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
  errors: number;
}

export interface ThroughputRow {
  shape: string;
  path: string;
  contender: Contender;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Median over the rounds of this round's req/s divided by the yardstick's in the same round. */
  vsExpress: number;
  vsHttp: number;
  failures: number;
}

export async function shoot(url: string, seconds: number, connections: number, pipelining = 1): Promise<Shot> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining });
  return {
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function startContenders(baselines: Baselines): Promise<Record<Contender, ServerProcess>> {
  return {
    app: await startHealthy({ file: APP_BUNDLE }),
    'bare Express': await startHealthy({ file: baselines.bareExpress }),
    'bare node:http': await startHealthy({ file: baselines.bareHttp }),
  };
}

/** Each round runs every contender once, in an order rotated from round to round, so drift hits all alike. */
export async function measureThroughput(
  baselines: Baselines,
  settings: LoadSettings,
  log: (line: string) => void,
): Promise<ThroughputRow[]> {
  const servers = await startContenders(baselines);
  const shots = new Map<string, Shot[]>();
  try {
    for (const contender of CONTENDERS) {
      for (const path of PATHS)
        await shoot(
          `http://127.0.0.1:${servers[contender].port}${path}`,
          settings.warmupSeconds,
          settings.connections,
          settings.pipelining,
        );
    }
    for (let round = 0; round < settings.rounds; round += 1) {
      const order = CONTENDERS.map((_, index) => CONTENDERS[(index + round) % CONTENDERS.length] ?? 'app');
      for (const path of PATHS) {
        for (const contender of order) {
          // A moment for the previous contender's sockets to close and its process to go idle.
          await sleep(300);
          const shot = await shoot(
            `http://127.0.0.1:${servers[contender].port}${path}`,
            settings.seconds,
            settings.connections,
            settings.pipelining,
          );
          log(
            `  ${settings.shape}, round ${round + 1} ${path.padEnd(9)} ${contender.padEnd(14)} ${Math.round(shot.rps)} req/s, p99 ${shot.p99Ms} ms`,
          );
          shots.set(`${path} ${contender}`, [...(shots.get(`${path} ${contender}`) ?? []), shot]);
        }
      }
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
  return PATHS.flatMap((path) => {
    const of = (contender: Contender) => shots.get(`${path} ${contender}`) ?? [];
    return CONTENDERS.map((contender) => {
      const own = of(contender);
      const ratioTo = (yardstick: Contender) =>
        median(own.map((shot, index) => shot.rps / (of(yardstick)[index]?.rps ?? Number.NaN)));
      return {
        shape: settings.shape,
        path,
        contender,
        rps: Math.round(median(own.map((shot) => shot.rps))),
        p50Ms: median(own.map((shot) => shot.p50Ms)),
        p99Ms: median(own.map((shot) => shot.p99Ms)),
        vsExpress: round(ratioTo('bare Express')),
        vsHttp: round(ratioTo('bare node:http')),
        failures: own.reduce((sum, shot) => sum + shot.non2xx + shot.errors, 0),
      };
    });
  });
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
  const server = await startHealthy({ file: APP_BUNDLE });
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
