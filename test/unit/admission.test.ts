import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loopbackSockets } from '../support/loopback.ts';
import { noShed, reportShedding, type Admission } from '../../src/lifecycle/admission.ts';
import { createPublicServer } from '../../src/lifecycle/public-server.ts';
import type { Logger } from '../../src/observability/logger.ts';

// Real sockets on loopback against a server with small limits; the app behind the lane answers 200 "app".
const LIMITS = { max: 8, served: 5, pipelined: 4, pipelinedBytes: 1024 };
const PROBES = new Set(['/healthz']);

interface Fixture {
  server: Server;
  admission: Admission;
  port: number;
  advance: (ms: number) => void;
  /** Resolves once the server has accepted this many connections (a client's connect can come first). */
  accepted: (count: number) => Promise<void>;
}

let fixture: Fixture | undefined;
const { open, closeAll } = loopbackSockets();

afterEach(() => {
  closeAll();
  fixture?.server.closeAllConnections();
  fixture?.server.close();
});

/**
 * `loopDelayCheck: false`: clock jumps are time passing, not a loop that fell behind. `evictIdle: false`: no
 * connection counts as idle, however far the clock jumps between its connect and its request.
 */
async function start({ loopDelayCheck = true, evictIdle = true } = {}): Promise<Fixture> {
  let nowMs = 0;
  const { server, connections, admission, serve } = createPublicServer({
    limits: LIMITS,
    probePaths: PROBES,
    sweepMs: 10,
    now: () => nowMs,
    ...(loopDelayCheck ? {} : { maxEventLoopDelayMs: Number.POSITIVE_INFINITY }),
    ...(evictIdle ? {} : { idleUnderPressureMs: Number.POSITIVE_INFINITY }),
  });
  serve((_req, res) => {
    res.end('app');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fixture = {
    server,
    admission,
    port: (server.address() as AddressInfo).port,
    advance: (ms) => {
      nowMs += ms;
    },
    accepted: (count) =>
      vi.waitFor(() => {
        expect(connections.open()).toBe(count);
      }),
  };
  return fixture;
}

/** Sends one GET and resolves with everything the server wrote until it closed or answered. */
async function get(socket: Socket, path: string): Promise<string> {
  let reply = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  await vi.waitFor(() => {
    if (!socket.destroyed && !/\r\n\r\n[\s\S]*\S/.test(reply)) throw new Error('no answer yet');
  });
  return reply;
}

describe('admission control', () => {
  it('serves connections up to `served` as usual, keeping them alive', async () => {
    const { port } = await start();
    const served = await Promise.all(Array.from({ length: LIMITS.served }, () => open(port)));
    for (const socket of served) {
      const reply = await get(socket, '/api/time');
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(reply).toMatch(/\r\nConnection: keep-alive\r\n/);
    }
  });

  it('answers a 503 with Retry-After, and closes, past `served`; probes there still get their 200', async () => {
    const { port, admission, accepted } = await start();
    await Promise.all(Array.from({ length: LIMITS.served }, () => open(port)));
    await accepted(LIMITS.served);

    const api = await get(await open(port), '/api/time');
    expect(api).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(api).toMatch(/\r\nRetry-After: 1\r\n/);
    expect(api).toMatch(/\r\nConnection: close\r\n/);
    expect(api).toMatch(/\r\nContent-Type: application\/json; charset=utf-8\r\n/);
    expect(api.endsWith('{"error":"Service Unavailable"}')).toBe(true);

    const page = await get(await open(port), '/');
    expect(page).toMatch(/^HTTP\/1\.1 503 /);
    expect(page).toMatch(/\r\nContent-Type: text\/plain; charset=utf-8\r\n/);

    const probe = await get(await open(port), '/healthz?from=kubelet');
    expect(probe).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(probe).toMatch(/\r\nConnection: close\r\n/);
    expect(probe.endsWith('app')).toBe(true);
    expect(admission.shed()).toEqual({ unavailable: 2, refused: 0, evicted: 0, busy: 0, pipelined: 0 });
    expect(admission.underPressure()).toBe(true);
  });

  it('closes connections at accept past `max`, and counts them', async () => {
    const { port, admission, accepted } = await start();
    const held = await Promise.all(Array.from({ length: LIMITS.max }, () => open(port)));
    await accepted(LIMITS.max);
    // Each is idle, but none for a second yet: the clock has not moved, so none is evicted.
    const extra = await open(port);
    await once(extra, 'close');
    await vi.waitFor(() => {
      expect(admission.shed().refused).toBe(1);
    });
    expect(held.every((socket) => !socket.destroyed)).toBe(true);
  });

  it('under pressure, closes connections idle for a second, so that senders get their places back', async () => {
    const { port, admission, advance, accepted } = await start({ loopDelayCheck: false });
    const idle = await Promise.all(Array.from({ length: LIMITS.served }, () => open(port)));
    await accepted(LIMITS.served);
    advance(999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(idle.some((socket) => socket.destroyed)).toBe(false);
    advance(1);
    await Promise.all(idle.map((socket) => once(socket, 'close')));
    expect(admission.shed().evicted).toBe(LIMITS.served);
    await accepted(0);
    expect(admission.underPressure()).toBe(false);
    expect(await get(await open(port), '/')).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('answers 503 to all but probes while the event loop is more than a second behind, and 200 after', async () => {
    // Eviction off: on a busy machine the clock below jumps seconds between a connect and its request.
    const { port, admission, advance } = await start({ evictIdle: false });
    // Every sweep finds the clock two seconds on from the last: the loop is, by its own measure, behind.
    const falling = setInterval(() => {
      advance(2_000);
    }, 2);
    try {
      await vi.waitFor(() => {
        expect(admission.underPressure()).toBe(true);
      });
      const busy = await get(await open(port), '/api/time');
      expect(busy).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(busy).toMatch(/\r\nRetry-After: 1\r\n/);
      // Within the limit, a refused request leaves its connection open for the next one.
      expect(busy).toMatch(/\r\nConnection: keep-alive\r\n/);
      expect(await get(await open(port), '/healthz')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(admission.shed().busy).toBe(1);
    } finally {
      clearInterval(falling);
    }
    await vi.waitFor(() => {
      expect(admission.underPressure()).toBe(false);
    });
    expect(await get(await open(port), '/api/time')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('closes no idle connection while below `served`', async () => {
    const { port, advance, accepted } = await start({ loopDelayCheck: false });
    const idle = await Promise.all(Array.from({ length: LIMITS.served - 1 }, () => open(port)));
    await accepted(LIMITS.served - 1);
    advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(idle.some((socket) => socket.destroyed)).toBe(false);
  });
});

describe('reportShedding', () => {
  it('logs what was shed since its last line, once per interval, and nothing when nothing was', () => {
    vi.useFakeTimers();
    try {
      const shed = noShed();
      const admission: Admission = { guard: (app) => app, underPressure: () => false, shed: () => ({ ...shed }) };
      const lines: unknown[] = [];
      const logger = { warn: (fields: unknown) => lines.push(fields) } as unknown as Logger;
      const stop = reportShedding(admission, logger, 1_000);
      vi.advanceTimersByTime(1_000);
      expect(lines).toEqual([]);
      Object.assign(shed, { unavailable: 5, refused: 2 });
      vi.advanceTimersByTime(1_000);
      Object.assign(shed, { unavailable: 6, busy: 4 });
      vi.advanceTimersByTime(1_000);
      vi.advanceTimersByTime(1_000);
      expect(lines).toEqual([
        { unavailable: 5, refused: 2, evicted: 0, busy: 0, pipelined: 0, intervalMs: 1_000 },
        { unavailable: 1, refused: 0, evicted: 0, busy: 4, pipelined: 0, intervalMs: 1_000 },
      ]);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
