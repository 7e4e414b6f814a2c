import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server-process.ts';

// Real sockets against the built server, on the real clock: the bounds are generous and about behaviour.
// The server promises 10 s; 20 s leaves room for a busy machine and still fails Node's default sweep,
// which let such clients live 10 to 40 s. A fresh request is answered in milliseconds; one that had to
// wait behind the stalled connections would wait for their 10 s.
const HELD = 300;

interface Held {
  socket: Socket;
  closedAfterMs: Promise<number>;
  reply: () => string;
}

function hold(port: number, firstBytes: string | undefined, started: number): Held {
  const socket = connect(port, '127.0.0.1', () => {
    if (firstBytes !== undefined) socket.write(firstBytes);
  });
  let reply = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
  socket.on('error', () => undefined);
  return { socket, closedAfterMs: once(socket, 'close').then(() => performance.now() - started), reply: () => reply };
}

describe('slow clients (slowloris)', () => {
  let server: RunningServer;
  let partial: Held[];
  let silent: Held[];
  let silentOnMetrics: Held[];
  let freshRequestMs: number;

  beforeAll(async () => {
    server = await startServer({ env: { METRICS_PORT: '0' } });
    const metricsPort = (JSON.parse(await server.stdoutShows('"msg":"metrics listening on')) as { port: number }).port;
    const started = performance.now();
    // Half send an unfinished header block and stall; half connect and never send a byte.
    partial = Array.from({ length: HELD / 2 }, () => hold(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n', started));
    silent = Array.from({ length: HELD / 2 }, () => hold(server.port, undefined, started));
    // The metrics listener has fewer places (16), and the same bounds.
    silentOnMetrics = Array.from({ length: 10 }, () => hold(metricsPort, undefined, started));
    await Promise.all([...partial, ...silent, ...silentOnMetrics].map(({ socket }) => once(socket, 'connect')));
    const asked = performance.now();
    const response = await fetch(`http://127.0.0.1:${server.port}/api/time`);
    expect(response.status).toBe(200);
    freshRequestMs = performance.now() - asked;
  }, 30_000);

  afterAll(async () => {
    for (const { socket } of [...partial, ...silent, ...silentOnMetrics]) socket.destroy();
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it(`keeps answering new requests at once while ${HELD} stalled connections are held`, () => {
    expect(freshRequestMs).toBeLessThan(5_000);
  });

  it('closes connections that stall inside their headers within 20 s, with a 408', async () => {
    const closed = await Promise.all(partial.map((held) => held.closedAfterMs));
    expect(Math.max(...closed)).toBeLessThan(20_000);
    expect(new Set(partial.map((held) => held.reply().split('\r\n')[0]))).toEqual(
      new Set(['HTTP/1.1 408 Request Timeout']),
    );
  }, 30_000);

  it('closes connections that never send a byte within 20 s as well', async () => {
    const closed = await Promise.all(silent.map((held) => held.closedAfterMs));
    expect(Math.max(...closed)).toBeLessThan(20_000);
  }, 30_000);

  it('holds the metrics listener to the same bounds', async () => {
    const closed = await Promise.all(silentOnMetrics.map((held) => held.closedAfterMs));
    expect(Math.max(...closed)).toBeLessThan(20_000);
  }, 30_000);
});
