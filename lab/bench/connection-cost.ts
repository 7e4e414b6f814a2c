import { setTimeout as sleep } from 'node:timers/promises';
import { ClientConnection } from '../../test/support/load/connection.ts';
import { HEALTHCHECK_BUNDLE } from '../../scripts/build.ts';
import { APP_BUNDLE, spawnServer, startHealthy } from './server-process.ts';
import { round } from './stats.ts';

// What one open connection costs the app, the figures its connection limit is computed from
// (src/lifecycle/connection-limits.ts): run the app under its memory limit, open connections step by step, and
// fit a line through its memory at each step. Idle: keep-alive connections that have had one answer. In
// flight: each with a request the response-delay hook holds, so its request and response objects stay alive,
// the most a connection holds between two answers. Memory is the cgroup's own count (the kernel's socket
// memory included), split into the JavaScript heap (V8's figures) and everything outside it. And the health
// probe, which Docker's HEALTHCHECK runs inside the same container every 10 s.

export interface ConnectionCostSettings {
  step: number;
  steps: number;
  /** The app's memory limit, which sizes its heap (and so how often it collects garbage). */
  memoryLimitMiB: number;
}

interface ConnectionCost {
  /** Memory outside the JavaScript heap, KiB per connection: sockets, buffers, the kernel's part. */
  outsideHeapKiB: number;
  /** The JavaScript heap in use, KiB per connection. */
  heapKiB: number;
  /** Before the first connection (the first step): memory outside the heap, and the heap in use, MiB. */
  outsideHeapBaseMiB: number;
  heapBaseMiB: number;
}

export interface ConnectionCostResult {
  idle: ConnectionCost;
  inFlight: ConnectionCost;
  /** The health probe (node dist/healthcheck.js), its memory at its peak, MiB. */
  healthProbeMiB: number;
}

interface HeapFigures {
  usedKiB: number;
  totalKiB: number;
}

async function heapOf(port: number): Promise<HeapFigures> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const figure = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? Number.NaN) / 1024;
  return { usedKiB: figure('nodejs_heap_size_used_bytes'), totalKiB: figure('nodejs_heap_size_total_bytes') };
}

/** The slope of the least-squares line through the points. */
function slope(points: [number, number][]): number {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const mx = mean(points.map(([x]) => x));
  const my = mean(points.map(([, y]) => y));
  const covariance = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return covariance / variance;
}

async function costOf(kind: 'idle' | 'inFlight', settings: ConnectionCostSettings): Promise<ConnectionCost> {
  // Held for longer than the measurement takes; the server is killed at the end.
  const server = await startHealthy({
    file: APP_BUNDLE,
    node: 'images',
    memoryLimitMiB: settings.memoryLimitMiB,
    env: { LOG_LEVEL: 'warn' },
    ...(kind === 'inFlight' ? { responseDelayMs: 600_000 } : {}),
  });
  const address = { host: '127.0.0.1', port: server.port };
  const connections: ClientConnection[] = [];
  const outsideHeap: [number, number][] = [];
  const heap: [number, number][] = [];
  try {
    for (let step = 0; step <= settings.steps; step += 1) {
      while (connections.length < step * settings.step) {
        const connection = await ClientConnection.open(address);
        if (kind === 'idle') await connection.get('/healthz', 10_000);
        else void connection.get('/api/time', 600_000);
        connections.push(connection);
      }
      // Within the 5 s keep-alive timeout, which would close the idle ones.
      await sleep(500);
      const figures = await heapOf(server.port);
      const usageKiB = (server.cgroupMemory()?.usageMiB ?? Number.NaN) * 1024;
      outsideHeap.push([connections.length, usageKiB - figures.totalKiB]);
      heap.push([connections.length, figures.usedKiB]);
    }
  } finally {
    for (const connection of connections) connection.close();
    server.child.kill('SIGKILL');
    await server.exited;
  }
  return {
    outsideHeapKiB: round(slope(outsideHeap), 1),
    heapKiB: round(slope(heap), 1),
    outsideHeapBaseMiB: round((outsideHeap[0]?.[1] ?? Number.NaN) / 1024, 1),
    heapBaseMiB: round((heap[0]?.[1] ?? Number.NaN) / 1024, 1),
  };
}

/** One run of the health probe against a running app, in a cgroup of its own: its peak. */
async function healthProbeMiB(settings: ConnectionCostSettings): Promise<number> {
  const server = await startHealthy({ file: APP_BUNDLE, node: 'images', memoryLimitMiB: settings.memoryLimitMiB });
  try {
    const probe = await spawnServer({
      file: HEALTHCHECK_BUNDLE,
      node: 'images',
      memoryLimitMiB: settings.memoryLimitMiB,
      env: { PORT: String(server.port) },
    });
    if ((await probe.exited) !== 0) throw new Error(`the health probe failed: ${probe.stderr()}`);
    return probe.cgroupMemory()?.peakMiB ?? Number.NaN;
  } finally {
    await server.stop();
  }
}

export async function measureConnectionCost(settings: ConnectionCostSettings): Promise<ConnectionCostResult> {
  return {
    idle: await costOf('idle', settings),
    inFlight: await costOf('inFlight', settings),
    healthProbeMiB: await healthProbeMiB(settings),
  };
}

if (import.meta.main) {
  // node lab/bench/connection-cost.ts [MEMORY_LIMIT_MIB]
  const [limit = '128'] = process.argv.slice(2);
  console.log(JSON.stringify(await measureConnectionCost({ step: 250, steps: 6, memoryLimitMiB: Number(limit) })));
}
