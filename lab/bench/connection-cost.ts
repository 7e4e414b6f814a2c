import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_HEADER_BYTES, MAX_PIPELINED, MAX_PIPELINED_BYTES } from '../../src/lifecycle/connection-limits.ts';
import { ClientConnection } from '../../test/support/load/connection.ts';
import { HEALTHCHECK_BUNDLE } from '../../scripts/build.ts';
import { APP_BUNDLE, spawnServer, startHealthy } from './server-process.ts';
import { round } from './stats.ts';

// What one open connection costs the app, the figures its connection limit is computed from
// (src/lifecycle/connection-limits.ts): run the app under its memory limit, open connections step by step, and
// fit a line through its memory at each step. Idle: keep-alive connections that have had one answer. In
// flight: each with a request the response-delay hook holds, so its request and response objects stay alive,
// the most a polite connection holds between two answers. At the ceiling: the most any client can make one
// connection hold (ceilingRequests); the connection limit is computed from this one. Memory is the cgroup's own count (the kernel's socket
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
  ceiling: ConnectionCost;
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

/**
 * The most a client can make one connection hold: MAX_PIPELINED requests at once, the first with headers as
 * large as a request may have and its answer held by the response-delay hook (as a client that reads
 * nothing holds it, once the socket's buffers are full), those behind it sharing what waiting requests may
 * hold together.
 */
function ceilingRequests(): string {
  const request = (headerBytes: number) =>
    `GET /api/time HTTP/1.1\r\nHost: bench\r\nX-Padding: ${'p'.repeat(Math.max(0, headerBytes - 64))}\r\n\r\n`;
  const waiting = MAX_PIPELINED - 1;
  return request(MAX_HEADER_BYTES - 512) + request(Math.floor((MAX_PIPELINED_BYTES - 256) / waiting)).repeat(waiting);
}

async function openAtCeiling({ host, port }: { host: string; port: number }): Promise<{ close(): void }> {
  const socket: Socket = connect({ host, port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.pause();
  socket.write(ceilingRequests());
  return { close: () => socket.destroy() };
}

type Kind = 'idle' | 'inFlight' | 'ceiling';

async function costOf(kind: Kind, settings: ConnectionCostSettings): Promise<ConnectionCost> {
  // Held for longer than the measurement takes; the server is killed at the end.
  const server = await startHealthy({
    file: APP_BUNDLE,
    node: 'images',
    memoryLimitMiB: settings.memoryLimitMiB,
    env: { LOG_LEVEL: 'warn' },
    ...(kind === 'idle' ? {} : { responseDelayMs: 600_000 }),
  });
  const address = { host: '127.0.0.1', port: server.port };
  const connections: { close(): void }[] = [];
  const outsideHeap: [number, number][] = [];
  const heap: [number, number][] = [];
  try {
    for (let step = 0; step <= settings.steps; step += 1) {
      while (connections.length < step * settings.step) {
        if (kind === 'ceiling') {
          connections.push(await openAtCeiling(address));
          continue;
        }
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
    ceiling: await costOf('ceiling', settings),
    healthProbeMiB: await healthProbeMiB(settings),
  };
}

/**
 * The figures the connection limit's budgets are checked against (budgets.test.ts), in a report of their own:
 * written by this file's command and by `npm run bench`.
 */
export const CONNECTION_COST_FILE = 'lab/reports/connection-cost.json';

export interface ConnectionCostReport extends ConnectionCostResult {
  settings: ConnectionCostSettings;
}

export function writeConnectionCost(report: ConnectionCostReport): void {
  writeFileSync(CONNECTION_COST_FILE, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Steps small enough that the last, at the ceiling, stays below the connection limit under the app's
 * 128 MiB (786): past it, connections would be refused, and the slope would flatten.
 */
export const CONNECTION_COST_STEPS = { step: 100, steps: 6 };

if (import.meta.main) {
  // node lab/bench/connection-cost.ts [MEMORY_LIMIT_MIB]: measures, prints and writes CONNECTION_COST_FILE.
  const [limit = '128'] = process.argv.slice(2);
  const settings = { ...CONNECTION_COST_STEPS, memoryLimitMiB: Number(limit) };
  const report = { settings, ...(await measureConnectionCost(settings)) };
  writeConnectionCost(report);
  console.log(`${JSON.stringify(report, null, 2)}\nWritten: ${CONNECTION_COST_FILE}`);
}
