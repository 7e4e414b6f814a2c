import type { RequestListener, Server } from 'node:http';
import { admit, type Admission, type AdmissionControl } from './admission.ts';
import { trackConnections, type Connections } from './connections.ts';
import { createHttpServer } from './listen.ts';

export interface PublicServer {
  server: Server;
  connections: Connections;
  admission: Admission;
  /** Hands the app the requests admission control lets through; call once. */
  serve: (app: RequestListener) => void;
}

export type PublicServerOptions = Omit<AdmissionControl, 'server' | 'connections'>;

/**
 * The public listener, wired in the one order that works: connections are tracked from the first event on
 * (admission counts a new socket in its own 'connection' listener, and tracking must have counted it
 * first; the tracker's 'request' listener goes before every other), then admission control, which sets
 * the server's connection limit and guards the app, which comes last. The entry point and the tests both
 * build the server here.
 */
export function createPublicServer(options: PublicServerOptions): PublicServer {
  const server = createHttpServer();
  const connections = trackConnections(server, options.now);
  const admission = admit({ server, connections, ...options });
  return {
    server,
    connections,
    admission,
    serve: (app) => {
      server.on('request', admission.guard(app));
    },
  };
}
