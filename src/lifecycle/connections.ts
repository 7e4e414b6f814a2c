import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The server's open connections, and for how long each has had no request in progress. */
export interface Connections {
  /** Connections open now. */
  open(): number;
  /** Connections with no request in progress for at least `ms` milliseconds. */
  idleFor(ms: number): Socket[];
  /**
   * From now on every response closes its connection after it (`Connection: close`), those in progress
   * that have not sent their headers yet included: clients reconnect, elsewhere, rather than reuse a
   * connection that is about to go.
   */
  closeAfterResponses(): void;
}

const IN_PROGRESS = Symbol('responses in progress');
const IDLE_SINCE = Symbol('idle since');

// The state lives on the socket, never as a Map or Set keyed by response: giving every response object an
// identity hash doubled the server's CPU time per request under pipelined load (measured).
interface TrackedSocket extends Socket {
  [IN_PROGRESS]?: ServerResponse[];
  [IDLE_SINCE]?: number | undefined;
}

/**
 * Tracks every connection from the moment it opens. Node can close the connections idle right now, but a
 * keep-alive client busy sending is "idle" between one answer and its next request for well under a
 * millisecond: closing it then resets the request already on its way. What has been idle a while is safe
 * to close.
 */
export function trackConnections(server: Server, now: () => number = () => performance.now()): Connections {
  const sockets = new Set<TrackedSocket>();
  let closing = false;
  server.on('connection', (socket: TrackedSocket) => {
    socket[IN_PROGRESS] = [];
    socket[IDLE_SINCE] = now();
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
    });
  });
  // Before the app's own listener, so the header is set before the app can answer.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    const socket = req.socket as TrackedSocket;
    const inProgress = socket[IN_PROGRESS];
    // A destroyed socket's requests are never answered (pipelining.ts drops them): nothing to track.
    if (inProgress === undefined || socket.destroyed) return;
    inProgress.push(res);
    socket[IDLE_SINCE] = undefined;
    res.once('close', () => {
      inProgress.splice(inProgress.indexOf(res), 1);
      if (inProgress.length === 0) socket[IDLE_SINCE] = now();
    });
  });
  return {
    open: () => sockets.size,
    idleFor(ms) {
      const at = now();
      return [...sockets].filter((socket) => {
        const since = socket[IDLE_SINCE];
        return since !== undefined && at - since >= ms;
      });
    },
    closeAfterResponses() {
      closing = true;
      for (const socket of sockets) {
        for (const res of socket[IN_PROGRESS] ?? []) if (!res.headersSent) res.setHeader('Connection', 'close');
      }
    },
  };
}
