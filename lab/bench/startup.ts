import { firstHealthy } from '../../test/support/healthz.ts';
import { spawnServer, type NodeSettings } from './server-process.ts';
import { median, medianWithInterval, round } from './stats.ts';

export interface StartupRow {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** This contender's time over the yardstick's in the same run: the median over the runs. */
  ratio: number;
  /** Its 95 % interval. */
  low: number;
  high: number;
}

interface Starter {
  name: string;
  file: string;
  node: NodeSettings;
}

async function startOnce({ file, node }: Starter): Promise<number> {
  const started = performance.now();
  const server = await spawnServer({ file, node });
  const healthy = await firstHealthy(server.port);
  await server.stop();
  return healthy - started;
}

/** Spawn → first 200 on /healthz; contenders alternate run by run, after one unmeasured start each. */
export async function measureStartup(contenders: readonly Starter[], runs: number): Promise<StartupRow[]> {
  const times = new Map<string, number[]>(contenders.map(({ name }) => [name, []]));
  for (const contender of contenders) await startOnce(contender);
  for (let run = 0; run < runs; run += 1) {
    for (const contender of contenders) times.get(contender.name)?.push(await startOnce(contender));
  }
  const yardstick = times.get(contenders.at(-1)?.name ?? '') ?? [];
  return contenders.map(({ name }) => {
    const own = times.get(name) ?? [];
    const ratio = medianWithInterval(own.map((ms, run) => ms / (yardstick[run] ?? Number.NaN)));
    return {
      name,
      medianMs: round(median(own), 1),
      minMs: round(Math.min(...own), 1),
      maxMs: round(Math.max(...own), 1),
      ratio: round(ratio.median),
      low: round(ratio.low),
      high: round(ratio.high),
    };
  });
}
