import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.ts';
import { MAX_HEADER_BYTES } from './connection-limits.ts';

/**
 * A listener with bounds on slow or stalled clients (slowloris), for the app and the metrics listener alike:
 * a connection that has not sent its whole header block within 10 s, silent ones included, gets a 408 and
 * is closed; a whole request must arrive within 30 s; an idle keep-alive connection closes after 5 s.
 */
export function createHttpServer(): Server {
  return createServer({
    headersTimeout: 10_000,
    maxHeaderSize: MAX_HEADER_BYTES,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // Node enforces the two timeouts above only when it sweeps its connections, every 30 s by default:
    // a slow client then lived 10 to 40 s. Sweeping every second makes the 10 s bound true.
    connectionsCheckingInterval: 1_000,
  });
}

/** Where the server tried to listen, as the configuration gave it. */
interface ListenAddress {
  host: string;
  port: number;
}

export interface Listening extends ListenAddress {
  /** The variable that gave the port, named when the port cannot be used. */
  portVariable: string;
  /** The log line's first words: "listening", "metrics listening". */
  what: string;
  /** More fields for that line. */
  fields: Record<string, unknown>;
  logger: Logger;
  /** Ends the process: a listener that fails takes the process with it. */
  exit: (code: number) => unknown;
}

/**
 * The one line to print when listen() fails for a reason the operator can fix by changing HOST or PORT,
 * or undefined for anything else (a bug, which is logged in full instead).
 */
function describeListenFailure(
  error: NodeJS.ErrnoException,
  { host, port }: ListenAddress,
  portVariable: string,
): string | undefined {
  const where = `Cannot listen on ${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `${where}: the port is in use by another process; set ${portVariable} to a free port`;
    case 'EACCES':
      return `${where}: permission denied (ports below 1024 need privileges); set ${portVariable} to 1024 or above`;
    case 'EADDRNOTAVAIL':
      return `${where}: ${host} is not an address of this machine; set HOST to a local address, or 0.0.0.0 for all`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where}: the host name ${host} does not resolve; set HOST to an IP address or a resolvable name`;
    default:
      return undefined;
  }
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Listens, or ends the process with one line naming the variable to change when it cannot. */
export function listen(server: Server, { host, port, portVariable, what, fields, logger, exit }: Listening): void {
  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = server.listening ? undefined : describeListenFailure(error, { host, port }, portVariable);
    if (reason === undefined) logger.fatal({ err: error }, 'server error');
    else process.stderr.write(`${reason}\n`);
    void exit(1);
  });
  server.listen(port, host, () => {
    // The port actually bound: 0 asks the system for a free one.
    const bound = (server.address() as AddressInfo).port;
    logger.info({ host, port: bound, ...fields }, `${what} on ${urlOf(host, bound)}`);
  });
}
