import autocannon from 'autocannon';
import type { Baselines } from './baselines/build.ts';
import { APP_BUNDLE, startHealthy, type ServerProcess } from './server-process.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, round } from './stats.ts';

export const CONTENDERS = ['app', 'bare Express', 'bare node:http'] as const;
export type Contender = (typeof CONTENDERS)[number];
export const PATHS = ['/api/time', '/'] as const;

export interface LoadSettings {
  connections: number;
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

export async function shoot(url: string, seconds: number, connections: number): Promise<Shot> {
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
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
        await shoot(`http://127.0.0.1:${servers[contender].port}${path}`, settings.warmupSeconds, settings.connections);
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
          );
          log(
            `  round ${round + 1} ${path.padEnd(9)} ${contender.padEnd(14)} ${Math.round(shot.rps)} req/s, p99 ${shot.p99Ms} ms`,
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
