import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loopbackSockets } from '../support/loopback.ts';
import { oneAtATime } from '../../src/lifecycle/pipelining.ts';

// Real sockets on loopback. The app answers when the test says so: `release()` answers the oldest request
// it holds, so the test decides when one answer is out and the next request may start.
const BOUNDS = { maxWaiting: 3, maxWaitingBytes: 1024 };

interface Fixture {
  port: number;
  /** The paths the app has been handed, in order. */
  seen: string[];
  release: () => void;
  /** Whether the answers the app holds have been closed under it (their connection went). */
  heldClosed: () => boolean[];
  cuts: () => number;
}

let server: Server | undefined;
const { open, closeAll } = loopbackSockets();

afterEach(() => {
  closeAll();
  server?.closeAllConnections();
  server?.close();
});

async function start(): Promise<Fixture> {
  const seen: string[] = [];
  const held: { res: ServerResponse; end: () => void }[] = [];
  let cuts = 0;
  const app = (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    held.push({ res, end: () => res.end(`answer to ${req.url ?? ''}`) });
  };
  server = createServer(
    oneAtATime(app, BOUNDS, () => {
      cuts += 1;
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    release: () => held.shift()?.end(),
    heldClosed: () => held.map(({ res }) => res.closed),
    cuts: () => cuts,
  };
}

const get = (path: string, padding = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${padding}\r\n`;

describe('pipelined requests', () => {
  it('reach the app one at a time, in order, each once the answer before it is out', async () => {
    const { port, seen, release } = await start();
    const socket = await open(port);
    let reply = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (reply += chunk));
    socket.write(get('/1') + get('/2') + get('/3'));
    await vi.waitFor(() => {
      expect(seen).toEqual(['/1']);
    });
    release();
    await vi.waitFor(() => {
      expect(seen).toEqual(['/1', '/2']);
    });
    release();
    await vi.waitFor(() => {
      expect(seen).toEqual(['/1', '/2', '/3']);
    });
    release();
    await vi.waitFor(() => {
      expect(reply.match(/answer to \/\d/g)).toEqual(['answer to /1', 'answer to /2', 'answer to /3']);
    });
  });

  it('cut the connection past `maxWaiting`, and the requests after it never reach the app', async () => {
    const { port, seen, release, cuts } = await start();
    const socket = await open(port);
    // One answered, three waiting, then the one too many and a thousand more in the same write.
    socket.write(Array.from({ length: 1_005 }, (_, i) => get(`/${i}`)).join(''));
    await once(socket, 'close');
    expect(cuts()).toBe(1);
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['/0']);
  });

  it('cut the connection whose waiting requests hold more than `maxWaitingBytes`', async () => {
    const { port, seen, cuts } = await start();
    const socket = await open(port);
    const padding = `X-Padding: ${'a'.repeat(600)}\r\n`;
    socket.write(get('/0') + get('/1', padding) + get('/2', padding));
    await once(socket, 'close');
    expect(cuts()).toBe(1);
    expect(seen).toEqual(['/0']);
  });

  it.each([
    ['half-closes', (socket: Socket) => socket.end()],
    ['resets', (socket: Socket) => socket.resetAndDestroy()],
  ])('are dropped, not answered, when their client %s', async (_how, leave) => {
    const { port, seen, release, heldClosed, cuts } = await start();
    const socket = await open(port);
    socket.write(get('/0') + get('/1') + get('/2'));
    await vi.waitFor(() => {
      expect(seen).toEqual(['/0']);
    });
    leave(socket);
    await vi.waitFor(() => {
      expect(heldClosed()).toEqual([true]);
    });
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['/0']);
    expect(cuts()).toBe(0);
  });
});
