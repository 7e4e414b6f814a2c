import { once } from 'node:events';
import { Agent, createServer, get, request, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackConnections, type Connections } from '../../src/lifecycle/connections.ts';
import { createReadiness } from '../../src/lifecycle/readiness.ts';
import { createShutdown } from '../../src/lifecycle/shutdown.ts';
import { memoryLogger } from '../support/test-app.ts';

interface TestServer {
  server: Server;
  port: number;
  connections: Connections;
}

/** A real server on loopback, its connections tracked as server.ts tracks them (with the given clock). */
async function listening(handler: RequestListener, now?: () => number): Promise<TestServer> {
  const server = createServer(handler);
  const connections = trackConnections(server, now);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, connections };
}

function send(port: number, agent?: Agent): Promise<IncomingMessage & { body: string }> {
  return new Promise((resolve, reject) => {
    get({ port, host: '127.0.0.1', path: '/', ...(agent === undefined ? {} : { agent }) }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve(Object.assign(res, { body }));
      });
    }).on('error', reject);
  });
}

// A server whose requests wait until the test releases them: "in flight" without any timer.
async function heldServer() {
  const held: (() => void)[] = [];
  const test = await listening((_req, res) => {
    held.push(() => res.end('done'));
  });
  const waitUntilHeld = async (count: number) => {
    while (held.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  const releaseAll = () => {
    held.splice(0).forEach((release) => {
      release();
    });
  };
  return { ...test, send: () => send(test.port), waitUntilHeld, releaseAll };
}

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

function setup(graceMs: number, { server: http, connections }: TestServer, idleGraceMs?: number) {
  const readiness = createReadiness();
  const { logger, records } = memoryLogger();
  const exits: number[] = [];
  const aborts: string[] = [];
  const shutdown = createShutdown({
    server: http,
    connections,
    readiness,
    logger,
    graceMs,
    ...(idleGraceMs === undefined ? {} : { idleGraceMs }),
    exit: (code) => exits.push(code),
    abort: (signal) => aborts.push(signal),
  });
  return { readiness, records, exits, aborts, shutdown };
}

describe('graceful shutdown', () => {
  it('turns readiness off at once, lets in-flight requests finish, stops listening and exits 0', async () => {
    const held = await heldServer();
    server = held.server;
    const { readiness, exits, shutdown, records } = setup(60_000, held);
    const inFlight = [held.send(), held.send()];
    await held.waitUntilHeld(2);

    const done = shutdown('SIGTERM');
    expect(readiness.state()).toBe('shutting down');
    expect(held.server.listening).toBe(false);
    expect(exits).toEqual([]);

    held.releaseAll();
    const responses = await Promise.all(inFlight);
    // Answered, and told not to reuse a connection that is about to close.
    expect(responses.map((res) => [res.statusCode, res.body, res.headers.connection])).toEqual([
      [200, 'done', 'close'],
      [200, 'done', 'close'],
    ]);
    await done;
    expect(exits).toEqual([0]);
    expect(records.map((record) => record.msg)).toEqual(['shutting down: draining in-flight requests', 'stopped']);
  });

  it('cuts the remaining connections when the grace period runs out, and exits 1', async () => {
    const held = await heldServer();
    server = held.server;
    const { exits, shutdown, records } = setup(20, held);
    const stuck = held.send().catch((error: unknown) => error);
    await held.waitUntilHeld(1);

    await shutdown('SIGTERM');
    expect(exits).toEqual([1]);
    expect(await stuck).toMatchObject({ code: 'ECONNRESET' });
    expect(records.map((record) => record.msg)).toEqual([
      'shutting down: draining in-flight requests',
      'grace period over: closing the remaining connections',
      'stopped',
    ]);
  });

  it('runs once: a second signal aborts, and a third too, while the first drain goes on', async () => {
    const held = await heldServer();
    server = held.server;
    const { exits, aborts, shutdown, records } = setup(60_000, held);
    const stuck = held.send().catch(() => undefined);
    await held.waitUntilHeld(1);

    const draining = shutdown('SIGTERM');
    await shutdown('SIGINT');
    await shutdown('SIGTERM');
    expect(aborts).toEqual(['SIGINT', 'SIGTERM']);
    expect(exits).toEqual([]);
    expect(records.filter((record) => record.msg.startsWith('shutting down'))).toHaveLength(1);
    held.releaseAll();
    await stuck;
    await draining;
    expect(exits).toEqual([0]);
  });

  it('answers keep-alive clients that keep sending, instead of resetting their next request', async () => {
    const test = await listening((_req, res) => {
      res.end('ok');
    });
    server = test.server;
    // An idle grace longer than any gap a busy machine leaves between an answer and the client's next
    // request: what this test proves is that a busy connection is never cut, whatever the machine's load.
    const { exits, shutdown } = setup(20_000, test, 10_000);
    const outcomes = { answered: 0, resetOnReusedConnection: 0, refused: 0, other: 0 };
    const busy = Promise.withResolvers<undefined>();
    let stopping = false;
    // Twenty clients, each on one keep-alive connection, each sending its next request the moment the last
    // answer arrives: the connection is idle only for that instant.
    const clients = Array.from({ length: 20 }, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (;;) {
        const outcome = await new Promise<keyof typeof outcomes>((resolve) => {
          const req = request({ port: test.port, host: '127.0.0.1', path: '/', agent }, (res) => {
            res.resume().on('end', () => {
              resolve('answered');
            });
          });
          req.on('error', (error: NodeJS.ErrnoException) => {
            resolve(error.code === 'ECONNREFUSED' ? 'refused' : req.reusedSocket ? 'resetOnReusedConnection' : 'other');
          });
          req.end();
        });
        outcomes[outcome] += 1;
        if (outcomes.answered === 200) busy.resolve(undefined);
        if (outcome !== 'answered' || stopping) break;
      }
      agent.destroy();
    });
    // Two hundred answers in, every connection is busy: the signal comes now.
    await busy.promise;
    await shutdown('SIGTERM');
    stopping = true;
    await Promise.all(clients);
    expect(exits).toEqual([0]);
    expect(outcomes).toMatchObject({ resetOnReusedConnection: 0, other: 0 });
  });

  it('closes a keep-alive connection only once it has been idle for the idle grace', async () => {
    let nowMs = 0;
    const test = await listening(
      (_req, res) => {
        res.end('ok');
      },
      () => nowMs,
    );
    server = test.server;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await send(test.port, agent);
    expect(first.headers.connection).toBe('keep-alive');
    const socket = (agent.freeSockets['127.0.0.1:' + String(test.port) + ':'] ?? [])[0];
    if (socket === undefined) throw new Error('the agent kept no connection');
    let socketClosed = false;
    const closed = once(socket, 'close').then(() => (socketClosed = true));

    const { exits, shutdown } = setup(10_000, test, 1_000);
    const done = shutdown('SIGTERM');
    nowMs = 999;
    await new Promise((resolve) => setTimeout(resolve, 200)); // several sweeps: not idle long enough yet
    expect(socketClosed).toBe(false);
    nowMs = 1_000;
    await done;
    await closed;
    expect(exits).toEqual([0]);
    agent.destroy();
  });
});
