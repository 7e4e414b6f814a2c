import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** The server's open connections, and for how long each has had no request in progress. */
export interface Connections {
  /** Connections with no request in progress for at least `ms` milliseconds. */
  idleFor(ms: number): Socket[];
  /**
   * From now on every response closes its connection after it (`Connection: close`), those in progress
   * that have not sent their headers yet included: clients reconnect, elsewhere, rather than reuse a
   * connection that is about to go.
   */
  closeAfterResponses(): void;
}

/**
 * Tracks every connection from the moment it opens. Node can close the connections idle right now, but a
 * keep-alive client busy sending is "idle" between one answer and its next request for well under a
 * millisecond: closing it then resets the request already on its way. What has been idle a while is safe
 * to close.
 */
export function trackConnections(server: Server, now: () => number = () => performance.now()): Connections {
  const idleSince = new Map<Socket, number | undefined>();
  const inProgress = new Map<Socket, Set<ServerResponse>>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    idleSince.set(socket, now());
    inProgress.set(socket, new Set());
    socket.once('close', () => {
      idleSince.delete(socket);
      inProgress.delete(socket);
    });
  });
  // Before the app's own listener, so the header is set before the app can answer.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing) res.setHeader('Connection', 'close');
    const responses = inProgress.get(req.socket);
    if (responses === undefined) return;
    responses.add(res);
    idleSince.set(req.socket, undefined);
    res.once('close', () => {
      responses.delete(res);
      if (responses.size === 0 && idleSince.has(req.socket)) idleSince.set(req.socket, now());
    });
  });
  return {
    idleFor(ms) {
      const at = now();
      return [...idleSince].flatMap(([socket, since]) => (since !== undefined && at - since >= ms ? [socket] : []));
    },
    closeAfterResponses() {
      closing = true;
      for (const responses of inProgress.values()) {
        for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
      }
    },
  };
}
