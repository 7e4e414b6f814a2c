import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loopbackSockets } from '../support/loopback.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

// The built server with a small heap, as in a small container, against clients that break the assumptions
// of polite ones: they queue requests without reading the answers. What one connection may queue is
// bounded (src/lifecycle/pipelining.ts), so the server survives them, drops what they queued, and answers a
// new client at once when they leave. `npm run adversarial` (the lab) runs every shape at scale,
// against both images under 64 and 128 MiB.
const SMALL_HEAP = '--max-old-space-size=24 --max-semi-space-size=2';
/**
 * What the server may spend between the attackers' leaving and its answer to a new client: under a second
 * of its own CPU time. Its CPU time, not the wall clock's, so that a busy machine (CI shares machines)
 * slows the test down without failing it; a server still working through what the attackers queued fails.
 */
const RECOVERY_CPU_MS = 1_000;
/** Only ends a test whose server never answers. */
const ANSWER_WITHIN_MS = 30_000;

let server: RunningServer | undefined;
const { open, closeAll } = loopbackSockets();

afterEach(async () => {
  closeAll();
  server?.child.kill('SIGKILL');
  await server?.exited;
});

/** `connections` clients, each writing `requests` at once and never reading an answer. */
async function attack(port: number, connections: number, requests: string): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const socket = await open(port);
      socket.pause();
      socket.write(requests);
    }),
  );
}

/** The CPU time a process has used, user and system, in milliseconds (Linux's /proc, 100 ticks a second). */
function cpuMs(pid: number): number {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One GET on a new connection; resolves with its status and the CPU time the server spent until it, ms. */
async function fresh(port: number, pid: number): Promise<{ status: number; cpuMs: number }> {
  const before = cpuMs(pid);
  const response = await fetch(`http://127.0.0.1:${String(port)}/api/time`, {
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    headers: { connection: 'close' },
  });
  await response.arrayBuffer();
  return { status: response.status, cpuMs: cpuMs(pid) - before };
}

const get = (path: string, padding = 0) =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\n${padding > 0 ? `X-Padding: ${'p'.repeat(padding)}\r\n` : ''}\r\n`;

describe('hostile clients', () => {
  it.each([
    ['pipeline two thousand requests each and never read', 300, get('/').repeat(2_000), true],
    [
      'queue as much as a connection may hold and read nothing (a reader slower than any)',
      300,
      get('/api/time', 15_000) + get('/api/time', 800).repeat(9),
      false,
    ],
  ])(
    '%s: the server stays up, and answers a new client at once when they leave',
    async (_shape, connections, requests, cut) => {
      server = await startServer({ env: { NODE_OPTIONS: SMALL_HEAP, METRICS_PORT: '0' } });
      const metricsPort = (JSON.parse(await server.stdoutShows('"msg":"metrics listening on')) as { port: number })
        .port;
      await attack(server.port, connections, requests);
      // Long enough for the server to read and act on all of it; it is still up after.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(server.child.exitCode).toBeNull();
      closeAll();

      const answer = await fresh(server.port, server.child.pid ?? 0);
      expect(answer.status).toBe(200);
      expect(answer.cpuMs).toBeLessThan(RECOVERY_CPU_MS);
      const metrics = await (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
      const pipelined = Number(/^moscow_time_shed_total\{reason="pipelined"\} (\d+)$/m.exec(metrics)?.[1]);
      expect(pipelined > 0).toBe(cut);
      expect(server.stderr()).toBe('');
    },
  );
});
