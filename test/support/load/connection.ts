import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// One client connection speaking just enough HTTP/1.1 for load: it writes GETs, reads each answer's status
// line and headers and skips its Content-Length body. node:http's client costs several times the CPU per
// request, and under an 8,000-client flood the load generator, not the server, would be what is measured.

export interface Address {
  host: string;
  port: number;
}

/** How one request ended. */
export type Outcome =
  | { kind: 'answered'; status: number; ms: number; closes: boolean }
  /** The server closed a connection that had not answered anything yet: refused at accept, or reset. */
  | { kind: 'refused' }
  /** Anything else: a timeout, or a reset after earlier answers on this connection. */
  | { kind: 'failed'; reason: string };

interface Waiting {
  sentAt: number;
  resolve: (outcome: Outcome) => void;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** What open() rejects with when the connection was not made in time; otherwise the error's code. */
export const CONNECT_TIMEOUT = 'connect timeout';

export class ClientConnection {
  readonly #socket: Socket;
  readonly #waiting: Waiting[] = [];
  #buffer: Buffer = Buffer.alloc(0);
  /** Body bytes of the current answer still to skip. */
  #skip = 0;
  #answered = 0;
  #closed = false;
  #closeReason = '';

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#read(chunk);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#closeReason = error.code ?? error.message;
    });
    socket.on('close', () => {
      this.#fail();
    });
  }

  /** Resolves once connected; rejects with the error code when the connection is refused or fails. */
  static open({ host, port }: Address, timeoutMs = 10_000): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(CONNECT_TIMEOUT));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new ClientConnection(socket));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(error.code ?? error.message));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends GET `path`; resolves with how it ended. Several may be in flight (pipelining). */
  get(path: string, timeoutMs: number): Promise<Outcome> {
    if (this.#closed) return Promise.resolve(this.#closedOutcome());
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve({ kind: 'failed', reason: 'timeout' });
        this.close();
      }, timeoutMs);
      this.#waiting.push({
        sentAt: performance.now(),
        resolve: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      });
      this.#socket.write(`GET ${path} HTTP/1.1\r\nHost: load\r\n\r\n`);
    });
  }

  /**
   * Closes with a reset: a load of thousands of connections a second would otherwise leave as many ports in
   * TIME_WAIT on this side for a minute, and the next run would find too few to connect from.
   */
  close(): void {
    this.#socket.resetAndDestroy();
  }

  #closedOutcome(): Outcome {
    return this.#answered === 0 ? { kind: 'refused' } : { kind: 'failed', reason: this.#closeReason || 'closed' };
  }

  #fail(): void {
    this.#closed = true;
    for (const waiting of this.#waiting.splice(0)) waiting.resolve(this.#closedOutcome());
  }

  #read(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#skip > 0) {
        const skipped = Math.min(this.#skip, this.#buffer.length);
        this.#skip -= skipped;
        this.#buffer = this.#buffer.subarray(skipped);
        if (this.#skip > 0) return;
      }
      const end = this.#buffer.indexOf(HEADER_END);
      if (end === -1) return;
      const head = this.#buffer.subarray(0, end).toString('latin1');
      this.#buffer = this.#buffer.subarray(end + HEADER_END.length);
      const status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
      this.#skip = Number(length ?? 0);
      const closes = /\r\nconnection:\s*close/i.test(head);
      const waiting = this.#waiting.shift();
      this.#answered += 1;
      waiting?.resolve({ kind: 'answered', status, ms: performance.now() - waiting.sentAt, closes });
    }
  }
}

/**
 * GET `path` on a connection of its own, closed after, as a probe does: whether it was answered 200, with
 * `timeoutMs` for the connect and as much again for the answer.
 */
export async function answers200(address: Address, path: string, timeoutMs: number): Promise<boolean> {
  try {
    const connection = await ClientConnection.open(address, timeoutMs);
    const outcome = await connection.get(path, timeoutMs);
    connection.close();
    return outcome.kind === 'answered' && outcome.status === 200;
  } catch {
    return false;
  }
}

/** Resolves once GET `path` answers 200 on a fresh connection; with the time that took. */
export async function firstAnswer(address: Address, path: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    // Not listening yet, or refused: try again.
    if (await answers200(address, path, 1_000)) return performance.now() - started;
    await sleep(10);
  }
  throw new Error(`no 200 on ${path} at ${address.host}:${address.port} within ${timeoutMs} ms`);
}
