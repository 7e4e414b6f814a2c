import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientConnection } from './overload/connection.ts';
import { APP_BUNDLE, startHealthy } from './server-process.ts';
import { round } from './stats.ts';

// What one open connection costs the app, the figure its connection limit is computed from: open
// connections step by step and fit a line through the process's memory at each step. Idle: keep-alive
// connections that have had one answer. In flight: each with a request the response-delay hook holds, so its
// request and response objects stay alive, the most a connection holds between two answers.

export interface ConnectionCostSettings {
  step: number;
  steps: number;
}

export interface ConnectionCost {
  /** Anonymous resident memory (the heap and everything native), KiB per connection. */
  memoryKiB: number;
  /** The JavaScript heap alone, KiB per connection. */
  heapKiB: number;
}

export interface ConnectionCostResult {
  idle: ConnectionCost;
  inFlight: ConnectionCost;
}

function anonymousKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^RssAnon:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
}

async function heapKiB(port: number): Promise<number> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(metrics)?.[1] ?? Number.NaN) / 1024;
}

/** The least-squares slope of y over x. */
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
    env: { LOG_LEVEL: 'warn' },
    ...(kind === 'inFlight' ? { responseDelayMs: 600_000 } : {}),
  });
  const pid = server.child.pid ?? 0;
  const address = { host: '127.0.0.1', port: server.port };
  const connections: ClientConnection[] = [];
  const memory: [number, number][] = [];
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
      memory.push([connections.length, anonymousKiB(pid)]);
      heap.push([connections.length, await heapKiB(server.port)]);
    }
  } finally {
    for (const connection of connections) connection.close();
    server.child.kill('SIGKILL');
    await server.exited;
  }
  return { memoryKiB: round(slope(memory), 1), heapKiB: round(slope(heap), 1) };
}

export async function measureConnectionCost(settings: ConnectionCostSettings): Promise<ConnectionCostResult> {
  return { idle: await costOf('idle', settings), inFlight: await costOf('inFlight', settings) };
}

if (import.meta.main) {
  console.log(JSON.stringify(await measureConnectionCost({ step: 250, steps: 6 })));
}
