import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  burst,
  holdSlowClients,
  runFleet,
  type SlowClientsResult,
  type Tally,
} from '../../../test/support/load/clients.ts';
import { firstAnswer, type Address } from '../../../test/support/load/connection.ts';
import type { Probes } from './probe.ts';
import { runLimited } from './container.ts';

// The overload matrix: each image, under each memory limit, meets each load shape in a container of its own,
// and must come out with no OOM kill, no restart, and a 200 on /api/time within a second of the load ending.

interface LoadShape {
  name: string;
  run(address: Address): Promise<{ tally: Tally; slow?: SlowClientsResult }>;
}

const SECONDS = 15;
const everyFiftyMs = (clients: number): LoadShape => ({
  name: `${clients.toLocaleString('en')} keep-alive clients, a request every 50 ms each`,
  run: async (address) => ({
    tally: await runFleet(address, { clients, everyMs: 50, pipelining: 1, seconds: SECONDS, path: '/api/time' }),
  }),
});

const LOAD_SHAPES: LoadShape[] = [
  {
    name: '100 connections × 10 pipelined',
    run: async (address) => ({
      tally: await runFleet(address, { clients: 100, everyMs: 0, pipelining: 10, seconds: SECONDS, path: '/api/time' }),
    }),
  },
  everyFiftyMs(1_000),
  everyFiftyMs(3_000),
  everyFiftyMs(8_000),
  {
    name: '5,000 slow connections (partial headers) beside 100 clients',
    run: async (address) => {
      const [slow, tally] = await Promise.all([
        holdSlowClients(address, 5_000, SECONDS),
        runFleet(address, { clients: 100, everyMs: 50, pipelining: 1, seconds: SECONDS, path: '/api/time' }),
      ]);
      return { tally, slow };
    },
  },
  {
    name: '10,000 connection attempts at once',
    run: async (address) => ({ tally: await burst(address, 10_000) }),
  },
];

export interface MatrixRow {
  image: string;
  memoryMiB: number;
  /** The connection limit the server chose under that memory limit. */
  maxConnections: number | undefined;
  shape: string;
  answered: number;
  /** 503 answers plus connections refused at accept. */
  shed: number;
  failed: number;
  /** Of the 2xx answers; undefined when there were none. */
  p99Ms: number | undefined;
  peakMiB: number | undefined;
  oomKills: number;
  restarts: number;
  /** From the end of the load to the first 200 on /api/time, on a new connection. */
  recoveryMs: number | undefined;
  /**
   * GET /healthz once a second during the load, on a new connection each time, as a kubelet probes: on the
   * public port, and on the metrics listener (METRICS_PORT, as the Kubernetes manifests set it).
   */
  liveness: { port: Probes; metricsPort: Probes };
  slow?: SlowClientsResult;
}

function p99(latencies: number[]): number | undefined {
  if (latencies.length === 0) return undefined;
  const sorted = latencies.toSorted((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0);
}

const PROBE = 'lab/bench/overload/probe.ts';
/** The metrics listener's port in the matrix's containers, as the Kubernetes manifests set it. */
const METRICS_PORT = 9090;

/** Liveness probes, in a process of their own, until the returned function stops them and says how many passed. */
function probeLiveness(address: Address): () => Promise<Probes> {
  const child = spawn(process.execPath, [PROBE, address.host, String(address.port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit');
  return async () => {
    child.kill('SIGTERM');
    await exited;
    return JSON.parse(output) as Probes;
  };
}

async function measureRow(image: string, memoryMiB: number, shape: LoadShape, env?: string[]): Promise<MatrixRow> {
  const container = await runLimited(image, memoryMiB, [`METRICS_PORT=${METRICS_PORT}`, ...(env ?? [])]);
  try {
    const stopProbes = [container.address, { ...container.address, port: METRICS_PORT }].map(probeLiveness);
    const { tally, slow } = await shape.run(container.address);
    const [onPort, onMetricsPort] = await Promise.all(stopProbes.map((stop) => stop()));
    let recoveryMs: number | undefined;
    try {
      recoveryMs = Math.round(await firstAnswer(container.address, '/api/time', 30_000));
    } catch {
      recoveryMs = undefined;
    }
    const state = await container.state();
    return {
      image,
      memoryMiB,
      maxConnections: container.maxConnections,
      shape: shape.name,
      answered: tally.answered,
      shed: tally.unavailable + tally.refused,
      failed: tally.failed,
      p99Ms: p99(tally.latenciesMs),
      peakMiB: container.peakMiB(),
      oomKills: state.oomKills,
      restarts: state.restarts,
      recoveryMs,
      liveness: {
        port: onPort ?? { answered: 0, failed: 0 },
        metricsPort: onMetricsPort ?? { answered: 0, failed: 0 },
      },
      ...(slow === undefined ? {} : { slow }),
    };
  } finally {
    await container.remove();
  }
}

export const MATRIX_LIMITS_MIB = [128, 64];

export const probesText = ({ answered, failed }: Probes) => `${answered}/${answered + failed}`;

/**
 * The smallest limit under which the first shape (100 connections × 10 pipelined) was answered in full: no
 * request shed or failed, no OOM kill, no restart. Undefined when there is none.
 */
export function memoryFloorMiB(rows: MatrixRow[]): number | undefined {
  const shape = LOAD_SHAPES[0]?.name;
  const held = rows.filter(
    (row) => row.shape === shape && row.shed === 0 && row.failed === 0 && row.oomKills === 0 && row.restarts === 0,
  );
  return held.length === 0 ? undefined : Math.min(...held.map((row) => row.memoryMiB));
}

export async function measureMatrix(image: string, log: (line: string) => void): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  for (const memoryMiB of MATRIX_LIMITS_MIB) {
    for (const shape of LOAD_SHAPES) {
      const row = await measureRow(image, memoryMiB, shape);
      rows.push(row);
      log(
        `  ${image} under ${memoryMiB} MiB, ${shape.name}: ${row.answered} answered, ${row.shed} shed, ` +
          `${row.failed} failed, p99 ${String(row.p99Ms)} ms, peak ${String(row.peakMiB)} MiB, ` +
          `${row.oomKills} OOM kills, ${row.restarts} restarts, recovery ${String(row.recoveryMs)} ms, ` +
          `liveness ${probesText(row.liveness.port)} on PORT, ${probesText(row.liveness.metricsPort)} on METRICS_PORT`,
      );
    }
  }
  return rows;
}

if (import.meta.main) {
  // node lab/bench/overload/matrix.ts IMAGE [MEMORY_MIB [SHAPES]] [NAME=value …]: one image, for trying a
  // change; SHAPES as indexes, "3,4,5"; NAME=value arguments are the container's environment.
  const args = process.argv.slice(2);
  const env = args.filter((arg) => arg.includes('='));
  const [image = 'moscow-time:slim', memory, shapes] = args.filter((arg) => !arg.includes('='));
  const chosen = shapes === undefined ? LOAD_SHAPES : shapes.split(',').map((index) => LOAD_SHAPES[Number(index)]);
  for (const memoryMiB of memory === undefined ? MATRIX_LIMITS_MIB : [Number(memory)]) {
    for (const shape of chosen) {
      if (shape !== undefined) console.log(JSON.stringify(await measureRow(image, memoryMiB, shape, env)));
    }
  }
}
