import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReadiness } from '../src/readiness.ts';
import { createShutdown } from '../src/shutdown.ts';
import { memoryLogger } from './support/test-app.ts';

// A server whose requests wait until the test releases them: "in flight" without any timer.
async function heldServer() {
  const held: (() => void)[] = [];
  const server = createServer((_req, res) => {
    held.push(() => res.end('done'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const send = () =>
    new Promise<IncomingMessage & { body: string }>((resolve, reject) => {
      get({ port, host: '127.0.0.1', path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve(Object.assign(res, { body }));
        });
      }).on('error', reject);
    });
  const waitUntilHeld = async (count: number) => {
    while (held.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    server,
    port,
    send,
    waitUntilHeld,
    releaseAll: () => {
      held.splice(0).forEach((release) => {
        release();
      });
    },
  };
}

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

function setup(graceMs: number, http: Server) {
  const readiness = createReadiness();
  const { logger, records } = memoryLogger();
  const exits: number[] = [];
  const shutdown = createShutdown({ server: http, readiness, logger, graceMs, exit: (code) => exits.push(code) });
  return { readiness, records, exits, shutdown };
}

describe('graceful shutdown', () => {
  it('turns readiness off at once, lets in-flight requests finish, stops listening and exits 0', async () => {
    const held = await heldServer();
    server = held.server;
    const { readiness, exits, shutdown, records } = setup(60_000, held.server);
    const inFlight = [held.send(), held.send()];
    await held.waitUntilHeld(2);

    const done = shutdown('SIGTERM');
    expect(readiness.isReady()).toBe(false);
    expect(held.server.listening).toBe(false);
    expect(exits).toEqual([]);

    held.releaseAll();
    const responses = await Promise.all(inFlight);
    expect(responses.map((res) => [res.statusCode, res.body])).toEqual([
      [200, 'done'],
      [200, 'done'],
    ]);
    await done;
    expect(exits).toEqual([0]);
    expect(records.map((record) => record.msg)).toEqual(['shutting down: draining in-flight requests', 'stopped']);
  });

  it('cuts the remaining connections when the grace period runs out, and exits 1', async () => {
    const held = await heldServer();
    server = held.server;
    const { exits, shutdown, records } = setup(20, held.server);
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

  it('exits at once, with 1, on a second signal', async () => {
    const held = await heldServer();
    server = held.server;
    const { exits, shutdown } = setup(60_000, held.server);
    const stuck = held.send().catch(() => undefined);
    await held.waitUntilHeld(1);

    void shutdown('SIGTERM');
    await shutdown('SIGINT');
    expect(exits).toEqual([1]);
    held.releaseAll();
    await stuck;
  });
});
