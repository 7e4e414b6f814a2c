import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Logger } from '../observability/logger.ts';
import type { Connections } from './connections.ts';
import type { Readiness } from './readiness.ts';

const IDLE_SWEEP_MS = 50;
/** A keep-alive connection with no request for this long is closed; a busy one gets `Connection: close`. */
const IDLE_GRACE_MS = 500;

export interface GracefulShutdown {
  server: Server;
  connections: Connections;
  /** Other listeners (the metrics one): closed with the server, their connections cut once it has drained. */
  alsoClose?: Server[];
  readiness: Readiness;
  logger: Logger;
  graceMs: number;
  idleGraceMs?: number;
  /** Ends the process; a parameter so the sequence can be tested without exiting the test runner. */
  exit: (code: number) => unknown;
  /** Ends the process at once with code 1, for a second signal: whoever sends it wants no more waiting. */
  abort: (signal: string) => unknown;
}

/**
 * Returns the signal handler, which resolves once the process has been told to exit: readiness goes 503 and the listeners close; in-flight requests finish, and a
 * keep-alive client that sends another request gets its answer with `Connection: close`; connections idle
 * for idleGraceMs close. After graceMs the remaining connections are cut and the exit code is 1.
 * The sequence runs once: a second signal aborts.
 */
export function createShutdown({
  server,
  connections,
  alsoClose = [],
  readiness,
  logger,
  graceMs,
  idleGraceMs = IDLE_GRACE_MS,
  exit,
  abort,
}: GracefulShutdown): (signal: string) => Promise<void> {
  let started = false;
  const drain = async (signal: string) => {
    readiness.markShuttingDown();
    const startedAt = performance.now();
    logger.info({ signal, graceMs }, 'shutting down: draining in-flight requests');
    // The listener only: http.Server.close() would also close every connection idle at this instant,
    // resetting the requests that busy keep-alive clients have already sent (measured: one per client).
    const drained = new Promise<void>((resolve) => {
      NetServer.prototype.close.call(server, () => {
        resolve();
      });
    });
    // A scrape in progress may finish; nothing else is worth waiting for on the other listeners.
    for (const other of alsoClose) {
      other.close();
      other.closeIdleConnections();
    }
    // Requests already in progress answer with `Connection: close` too, so their clients do not reuse a
    // connection that is about to go; connections.ts does the same for every request after this.
    connections.closeAfterResponses();
    const closeIdle = () => {
      for (const socket of connections.idleFor(idleGraceMs)) socket.destroy();
    };
    closeIdle();
    const sweep = setInterval(closeIdle, IDLE_SWEEP_MS);
    let deadline: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => {
      deadline = setTimeout(resolve, graceMs, 'grace over');
    });
    const forced = (await Promise.race([drained, graceOver])) === 'grace over';
    clearTimeout(deadline);
    clearInterval(sweep);
    if (forced) {
      logger.warn({ graceMs }, 'grace period over: closing the remaining connections');
      server.closeAllConnections();
      await drained;
    }
    for (const other of alsoClose) other.closeAllConnections();
    logger.info({ durationMs: Math.round(performance.now() - startedAt) }, 'stopped');
    await exit(forced ? 1 : 0);
  };
  return async (signal) => {
    if (started) {
      abort(signal);
      return;
    }
    started = true;
    await drain(signal);
  };
}
