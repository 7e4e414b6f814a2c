import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { docker, dockerOutput } from '../../../test/images/support/engine.ts';
import { HARDENED } from '../../../test/images/support/specs.ts';
import { canPin, SERVER_CPU } from '../machine.ts';
import { firstAnswer, type Address } from '../../../test/support/load/connection.ts';

// An image run as compose.yaml runs it (read-only, no capabilities, its CPU, PIDs and restart settings) under
// a given memory limit, reached at its own address on Docker's bridge: a published port would put Docker's
// userland proxy, with connections and memory of its own, between the load and the app.

interface ComposeLimits {
  memoryMiB: number;
  cpus: string;
  pidsLimit: string;
  restart: string;
}

/** The limits every service of compose.yaml shares (its x-hardened block). */
export function composeLimits(file = 'compose.yaml'): ComposeLimits {
  const document = parse(readFileSync(file, 'utf8')) as {
    'x-hardened'?: { mem_limit?: string; cpus?: string | number; pids_limit?: number; restart?: string };
  };
  const { mem_limit: memory, cpus, pids_limit: pidsLimit, restart } = document['x-hardened'] ?? {};
  const memoryMiB = Number(/^(\d+)m$/.exec(memory ?? '')?.[1]);
  if (Number.isNaN(memoryMiB) || cpus === undefined || pidsLimit === undefined || typeof restart !== 'string') {
    throw new Error(`${file} has no x-hardened block with mem_limit (in m), cpus, pids_limit and restart`);
  }
  return { memoryMiB, cpus: String(cpus), pidsLimit: String(pidsLimit), restart };
}

export interface RunningContainer {
  id: string;
  address: Address;
  /** The connection limit the server chose, from its `listening` log line. */
  maxConnections: number | undefined;
  /** The container's own high-water mark of memory use (its cgroup's), in MiB. */
  peakMiB(): number | undefined;
  /** OOM kills and restarts so far: an abort that the restart policy answered shows as a restart. */
  state(): Promise<{ oomKills: number; restarts: number; running: boolean }>;
  /** Everything it wrote, across restarts: stdout and stderr together. */
  logs(): Promise<string>;
  remove(): Promise<void>;
}

// cgroup v2 keeps the peak in memory.peak; v1 in memory.max_usage_in_bytes. Docker's cgroupfs driver puts
// containers under docker/<id>, its systemd driver under system.slice/docker-<id>.scope.
function cgroupPeakMiB(id: string): number | undefined {
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

/** `env`: variables for the container (NODE_OPTIONS, MAX_CONNECTIONS), for trying a change without a build. */
export async function runLimited(image: string, memoryMiB: number, env: string[] = []): Promise<RunningContainer> {
  const { cpus, pidsLimit, restart } = composeLimits();
  const since = String(Math.floor(Date.now() / 1000));
  // --memory-swap equal to --memory: no swap to hide in.
  const id = await dockerOutput(
    ...['run', '-d', ...HARDENED, '--memory', `${memoryMiB}m`, '--memory-swap', `${memoryMiB}m`],
    ...['--cpus', cpus, '--pids-limit', pidsLimit, '--restart', restart],
    // On the servers' core, as every server the benchmark measures, away from the load generator's.
    ...(canPin ? ['--cpuset-cpus', SERVER_CPU] : []),
    ...env.flatMap((entry) => ['-e', entry]),
    image,
  );
  const host = await dockerOutput(
    'inspect',
    '--format',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
    id,
  );
  const address = { host, port: 5000 };
  try {
    await firstAnswer(address, '/healthz', 30_000);
  } catch (error) {
    await dockerOutput('rm', '-f', id);
    throw error;
  }
  const listening = (await dockerOutput('logs', id)).split('\n').find((line) => line.includes('"msg":"listening'));
  return {
    id,
    address,
    maxConnections: (JSON.parse(listening ?? '{}') as { maxConnections?: number }).maxConnections,
    peakMiB: () => cgroupPeakMiB(id),
    async state() {
      const state = JSON.parse(await dockerOutput('inspect', '--format', '{{json .}}', id)) as {
        RestartCount: number;
        State: { Running: boolean };
      };
      // State.OOMKilled describes the last exit only, and a restart clears it; the engine's events keep all.
      const events = await dockerOutput(
        ...['events', '--since', since, '--until', String(Math.ceil(Date.now() / 1000))],
        ...['--filter', `container=${id}`, '--filter', 'event=oom', '--format', '{{.Status}}'],
      );
      return {
        oomKills: events.split('\n').filter(Boolean).length,
        restarts: state.RestartCount,
        running: state.State.Running,
      };
    },
    logs: async () => {
      const { stdout, stderr } = await docker(['logs', id], { check: true });
      return stdout + stderr;
    },
    async remove() {
      await dockerOutput('rm', '-f', id);
    },
  };
}
