import type { Server } from 'node:http';
import type { Logger } from './logger.ts';
import type { Readiness } from './readiness.ts';

const IDLE_SWEEP_MS = 50;

export interface GracefulShutdown {
  server: Server;
  readiness: Readiness;
  logger: Logger;
  graceMs: number;
  /** Ends the process; a parameter so the sequence can be tested without exiting the test runner. */
  exit: (code: number) => unknown;
}

/**
 * Returns the signal handler: readiness goes 503, the listener closes, in-flight requests finish and idle
 * keep-alive sockets close; after graceMs the remaining connections are cut and the exit code is 1.
 * A second signal exits at once.
 */
export function createShutdown({
  server,
  readiness,
  logger,
  graceMs,
  exit,
}: GracefulShutdown): (signal: string) => Promise<void> {
  return async (signal) => {
    if (!readiness.isReady()) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      await exit(1);
      return;
    }
    readiness.markShuttingDown();
    const started = performance.now();
    logger.info({ signal, graceMs }, 'shutting down: draining in-flight requests');
    const drained = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    // close() ends only the connections idle right now; one whose response finishes later would stay
    // open until keepAliveTimeout, so idle connections are swept until the server has closed.
    server.closeIdleConnections();
    const sweep = setInterval(() => {
      server.closeIdleConnections();
    }, IDLE_SWEEP_MS);
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
    logger.info({ durationMs: Math.round(performance.now() - started) }, 'stopped');
    await exit(forced ? 1 : 0);
  };
}
