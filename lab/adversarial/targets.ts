import { freePort } from '../../test/support/free-port.ts';
import type { Address } from '../../test/support/load/connection.ts';
import { IMAGES } from '../../test/images/support/specs.ts';
import { runLimited } from '../bench/overload/container.ts';
import { APP_BUNDLE, startHealthy, type ServerProcess } from '../bench/server-process.ts';

// What the suite attacks, each started fresh for every shape: the app as a process in a memory cgroup (the
// images' Node flags), the peer (Express, helmet and pino-http on Node's defaults) the same way, and both
// images run as compose.yaml runs them. What each reports afterwards: how it came out of the attack.

export interface Outcome {
  /** Processes the kernel killed for want of memory. */
  oomKills: number;
  /** V8 aborts: "JavaScript heap out of memory". */
  heapAborts: number;
  /** Restarts by the container's restart policy; a process that died counts one, as nothing restarts it. */
  restarts: number;
  peakMiB: number | undefined;
}

interface Target {
  name: string;
  memoryMiB: number;
  address: Address;
  /** Where its liveness probe is answered: METRICS_PORT for the app, the public port for the peer. */
  probeAddress: Address;
  /** The connection limit the app chose, from its `listening` line; undefined for the peer. */
  maxConnections: number | undefined;
  outcome(): Promise<Outcome>;
  stop(): Promise<void>;
}

export interface TargetSpec {
  name: string;
  memoryMiB: number;
  start(): Promise<Target>;
}

const HEAP_ABORT = 'JavaScript heap out of memory';
const CONTAINER_METRICS_PORT = 9000;

function processOutcome(server: ServerProcess): () => Promise<Outcome> {
  return () => {
    const memory = server.cgroupMemory();
    const died = server.child.exitCode !== null || server.child.signalCode !== null;
    return Promise.resolve({
      oomKills: memory?.oomKills ?? 0,
      heapAborts: server.stderr().split(HEAP_ABORT).length - 1,
      restarts: died ? 1 : 0,
      peakMiB: memory?.peakMiB,
    });
  };
}

function processTarget(
  name: string,
  file: string,
  memoryMiB: number,
  node: 'images' | 'defaults',
  metrics: boolean,
): TargetSpec {
  return {
    name,
    memoryMiB,
    async start() {
      const metricsPort = metrics ? await freePort() : undefined;
      const server = await startHealthy({
        file,
        node,
        memoryLimitMiB: memoryMiB,
        env: metricsPort === undefined ? {} : { METRICS_PORT: String(metricsPort) },
      });
      const address = { host: '127.0.0.1', port: server.port };
      return {
        name,
        memoryMiB,
        address,
        probeAddress: metricsPort === undefined ? address : { host: '127.0.0.1', port: metricsPort },
        maxConnections: undefined,
        outcome: processOutcome(server),
        stop: async () => {
          server.child.kill('SIGKILL');
          await server.exited;
        },
      };
    },
  };
}

/** The app, built (dist/server.js), under `memoryMiB`. */
export const appProcess = (memoryMiB: number): TargetSpec =>
  processTarget('process', APP_BUNDLE, memoryMiB, 'images', true);

/** The peer's bundle (lab/bench/baselines), under `memoryMiB`. */
export const peerProcess = (file: string, memoryMiB: number): TargetSpec =>
  processTarget('peer', file, memoryMiB, 'defaults', false);

export function imageTargets(memoryLimitsMiB: number[]): TargetSpec[] {
  return IMAGES.flatMap(({ name, tag }) =>
    memoryLimitsMiB.map((memoryMiB) => ({
      name,
      memoryMiB,
      async start(): Promise<Target> {
        const container = await runLimited(tag, memoryMiB, [`METRICS_PORT=${CONTAINER_METRICS_PORT}`]);
        return {
          name,
          memoryMiB,
          address: container.address,
          probeAddress: { host: container.address.host, port: CONTAINER_METRICS_PORT },
          maxConnections: container.maxConnections,
          async outcome() {
            const state = await container.state();
            return {
              oomKills: state.oomKills,
              heapAborts: (await container.logs()).split(HEAP_ABORT).length - 1,
              restarts: state.restarts + (state.running ? 0 : 1),
              peakMiB: container.peakMiB(),
            };
          },
          stop: () => container.remove(),
        };
      },
    })),
  );
}
