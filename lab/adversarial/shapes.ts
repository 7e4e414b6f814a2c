import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from '../../test/support/load/connection.ts';

// The hostile clients: each breaks an assumption that polite clients keep (they read their answers, send
// whole requests, wait for an answer before the next). Raw sockets, so that nothing a client library does for
// us (reading, timeouts, reconnects) softens them. Every shape runs until `until` and then leaves at once,
// destroying its sockets, as an attacker that stops does.

export interface Attack {
  /** Connections the shape opened. */
  opened: number;
  /** Of those, closed by the server before the shape left. */
  closedByServer: number;
}

export interface Shape {
  name: string;
  run(address: Address, until: number): Promise<Attack>;
}

const GET = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nHost: attack\r\n${headers}\r\n`;

/** Opens sockets on demand, counts what the server closed, and destroys the rest when the shape leaves. */
class Sockets {
  readonly #open = new Set<Socket>();
  opened = 0;
  closedByServer = 0;
  #leaving = false;

  open(address: Address, onConnect: (socket: Socket) => void): Socket {
    const socket = connect({ host: address.host, port: address.port });
    this.opened += 1;
    this.#open.add(socket);
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      onConnect(socket);
    });
    socket.once('close', () => {
      this.#open.delete(socket);
      if (!this.#leaving) this.closedByServer += 1;
    });
    return socket;
  }

  get size(): number {
    return this.#open.size;
  }

  leave(): Attack {
    this.#leaving = true;
    for (const socket of this.#open) socket.destroy();
    return { opened: this.opened, closedByServer: this.closedByServer };
  }
}

/** Keeps `count` sockets open until `until`, opening a new one whenever the server closes one. */
async function keep(count: number, until: number, open: (sockets: Sockets) => void): Promise<Attack> {
  const sockets = new Sockets();
  while (Date.now() < until) {
    // A few hundred at a time: the shape should load the server, not the attacker's own event loop.
    for (let i = 0; sockets.size < count && i < 200; i += 1) open(sockets);
    await sleep(50);
  }
  return sockets.leave();
}

/** `connections` clients that write `depth` pipelined GETs at once and never read. */
const pipelineWithoutReading = (connections: number, depth: number): Shape => ({
  name: `${connections.toLocaleString('en')} connections pipeline ${depth.toLocaleString('en')} GETs each, never read`,
  run: (address, until) =>
    keep(connections, until, (sockets) =>
      sockets.open(address, (socket) => {
        socket.pause();
        socket.write(GET('/').repeat(depth));
      }),
    ),
});

/** Keep-alive clients that send a GET every `everyMs` whether or not an answer came back. */
const openLoop = (clients: number, everyMs: number): Shape => ({
  name: `${clients.toLocaleString('en')} keep-alive clients send every ${everyMs} ms, answered or not`,
  run: (address, until) =>
    keep(clients, until, (sockets) => {
      const socket = sockets.open(address, () => {
        const timer = setInterval(() => {
          if (socket.writable) socket.write(GET('/api/time'));
        }, everyMs);
        socket.once('close', () => {
          clearInterval(timer);
        });
      });
      socket.on('data', () => undefined);
    }),
});

/** Clients that pipeline 10 page requests at a time and read their answers at 1 KiB a second. */
const slowReaders = (clients: number): Shape => ({
  name: `${clients.toLocaleString('en')} clients pipeline 10 GETs and read 1 KiB a second`,
  run: (address, until) =>
    keep(clients, until, (sockets) => {
      const socket = sockets.open(address, () => {
        socket.pause();
        socket.write(GET('/').repeat(10));
        const timer = setInterval(() => {
          socket.read(1024);
          // Another ten once every answer is in: a slow reader still asks for more.
          if (socket.readableLength === 0) socket.write(GET('/').repeat(10));
        }, 1_000);
        socket.once('close', () => {
          clearInterval(timer);
        });
      });
    }),
});

/** Connections that send half a request and vanish, over and over. */
const abandonMidRequest = (perRound: number): Shape => ({
  name: `${perRound.toLocaleString('en')} connections at a time send half a request and vanish`,
  run: async (address, until) => {
    const sockets = new Sockets();
    while (Date.now() < until) {
      for (let i = 0; i < perRound; i += 1) {
        const socket = sockets.open(address, () => {
          socket.write('GET /api/time HTTP/1.1\r\nHost: atta');
          setTimeout(() => socket.destroy(), 20);
        });
      }
      await sleep(100);
    }
    return sockets.leave();
  },
});

/** Clients whose header block is larger than any server's limit (64 KiB), sent in full. */
const oversizeHeaders = (clients: number): Shape => ({
  name: `${clients.toLocaleString('en')} clients send 64 KiB header blocks`,
  run: (address, until) =>
    keep(clients, until, (sockets) => {
      const socket = sockets.open(address, () => {
        socket.write(GET('/', `X-Big: ${'b'.repeat(64 * 1024)}\r\n`));
      });
      socket.on('data', () => undefined);
    }),
});

/** Clients that never finish their headers: a byte every second (slowloris). */
const neverFinishedHeaders = (clients: number): Shape => ({
  name: `${clients.toLocaleString('en')} clients never finish their headers (a byte a second)`,
  run: (address, until) =>
    keep(clients, until, (sockets) => {
      const socket = sockets.open(address, () => {
        socket.write('GET / HTTP/1.1\r\nHost: attack\r\nX-Slow: ');
        const timer = setInterval(() => {
          if (socket.writable) socket.write('s');
        }, 1_000);
        socket.once('close', () => {
          clearInterval(timer);
        });
      });
      socket.on('data', () => undefined);
    }),
});

/** Requests with 1 MiB bodies: on a GET, and on a method the app refuses; sent as fast as accepted. */
const bodies = (clients: number, method: 'GET' | 'POST'): Shape => ({
  name: `${clients.toLocaleString('en')} clients send 1 MiB bodies on ${method}`,
  run: (address, until) =>
    keep(clients, until, (sockets) => {
      const body = Buffer.alloc(1024 * 1024, 'x');
      const socket = sockets.open(address, () => {
        const path = method === 'GET' ? '/api/time' : '/';
        socket.write(`${method} ${path} HTTP/1.1\r\nHost: attack\r\nContent-Length: ${body.length}\r\n\r\n`);
        socket.write(body);
      });
      socket.on('data', () => undefined);
    }),
});

/** Connection attempts as fast as the attacker can make them, each closed after its connect. */
const connectionFlood = (perRound: number): Shape => ({
  name: `${perRound.toLocaleString('en')} connection attempts every 100 ms`,
  run: async (address, until) => {
    const sockets = new Sockets();
    while (Date.now() < until) {
      for (let i = 0; i < perRound; i += 1) sockets.open(address, () => undefined);
      await sleep(100);
    }
    return sockets.leave();
  },
});

export const SHAPES: Shape[] = [
  pipelineWithoutReading(8, 3_000),
  pipelineWithoutReading(64, 3_000),
  pipelineWithoutReading(400, 300),
  openLoop(3_000, 100),
  openLoop(6_000, 100),
  slowReaders(500),
  abandonMidRequest(500),
  oversizeHeaders(200),
  neverFinishedHeaders(3_000),
  bodies(50, 'GET'),
  bodies(50, 'POST'),
  connectionFlood(1_000),
];
