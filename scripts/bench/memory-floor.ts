import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerOutput, imageNodeOptions } from '../images/engine.ts';
import { HARDENED } from '../images/specs.ts';
import { freePort } from '../lib/free-port.ts';
import { firstHealthy } from '../lib/healthz.ts';
import { shoot } from './load.ts';

// The smallest memory limit each image lives within under overload: `docker run --memory`, then load at 100
// connections, and it must come through with no OOM kill, no restart and every answer a 200.

export const FLOOR_LIMITS_MIB = [64, 96, 128];

export interface FloorSettings {
  seconds: number;
  connections: number;
  /** Extra NODE_OPTIONS, for trying a change without rebuilding (the image's own are kept). */
  extraNodeOptions?: string;
}

export interface FloorRun {
  limitMiB: number;
  survived: boolean;
  oomKilled: boolean;
  requests: number;
  failures: number;
  /** The cgroup's own high-water mark of memory use, in MiB. */
  peakMiB: number | undefined;
}

export interface FloorResult {
  image: string;
  runs: FloorRun[];
  /** The smallest limit it survived, with every smaller one tried and failed; undefined if none. */
  floorMiB: number | undefined;
}

// cgroup v2 keeps the peak in memory.peak; v1 in memory.max_usage_in_bytes. Docker's cgroupfs driver puts
// containers under docker/<id>, its systemd driver under system.slice/docker-<id>.scope.
function peakMiB(id: string): number | undefined {
  const candidates = [
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
    `/sys/fs/cgroup/docker/${id}/memory.peak`,
    `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/memory/system.slice/docker-${id}.scope/memory.max_usage_in_bytes`,
  ];
  for (const file of candidates) {
    try {
      return Math.round((Number(readFileSync(file, 'utf8').trim()) / 2 ** 20) * 10) / 10;
    } catch {
      // not this layout
    }
  }
  return undefined;
}

async function runUnderLimit(image: string, limitMiB: number, settings: FloorSettings): Promise<FloorRun> {
  const port = await freePort();
  const nodeOptions = `${await imageNodeOptions(image)} ${settings.extraNodeOptions ?? ''}`.trim();
  // --memory-swap equal to --memory: no swap to hide in.
  const id = await dockerOutput(
    ...['run', '-d', ...HARDENED, '--memory', `${limitMiB}m`, '--memory-swap', `${limitMiB}m`],
    ...['-e', `NODE_OPTIONS=${nodeOptions}`, '-p', `127.0.0.1:${port}:5000`, image],
  );
  try {
    await firstHealthy(port, 30_000);
    const shot = await shoot(`http://127.0.0.1:${port}/api/time`, settings.seconds, settings.connections);
    await sleep(500);
    const state = JSON.parse(await dockerOutput('inspect', '--format', '{{json .State}}', id)) as {
      Running: boolean;
      OOMKilled: boolean;
      RestartCount?: number;
    };
    // `docker run -d` prints the full ID, which names the container's cgroup.
    const peak = peakMiB(id);
    const failures = shot.errors + shot.non2xx;
    return {
      limitMiB,
      survived: state.Running && !state.OOMKilled && failures === 0,
      oomKilled: state.OOMKilled,
      requests: Math.round(shot.rps * settings.seconds),
      failures,
      peakMiB: peak,
    };
  } finally {
    await dockerOutput('rm', '-f', id).catch(() => undefined);
  }
}

/** Tries each limit from the smallest up; the floor is the first one survived. */
export async function measureMemoryFloor(
  image: string,
  settings: FloorSettings,
  log: (line: string) => void,
): Promise<FloorResult> {
  const runs: FloorRun[] = [];
  for (const limitMiB of FLOOR_LIMITS_MIB) {
    const run = await runUnderLimit(image, limitMiB, settings);
    runs.push(run);
    log(
      `  ${image} under ${limitMiB} MiB: ${run.survived ? 'survived' : run.oomKilled ? 'OOM-killed' : 'failed'}, ` +
        `${run.requests} requests, ${run.failures} failures, peak ${String(run.peakMiB)} MiB`,
    );
    if (run.survived) return { image, runs, floorMiB: limitMiB };
  }
  return { image, runs, floorMiB: undefined };
}

if (import.meta.main) {
  // node scripts/bench/memory-floor.ts IMAGE [extra NODE_OPTIONS]: one image, for trying a change.
  const [image = 'moscow-time:slim', extra] = process.argv.slice(2);
  const result = await measureMemoryFloor(
    image,
    { seconds: 30, connections: 100, ...(extra === undefined ? {} : { extraNodeOptions: extra }) },
    (line) => {
      console.log(line);
    },
  );
  console.log(JSON.stringify(result));
}
