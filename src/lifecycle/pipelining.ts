import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const QUEUE = Symbol('pipelined requests');

interface Queue {
  /** A request of this connection is being answered. */
  answering: boolean;
  /** Requests waiting for the one before them, each with its size; and those sizes added up. */
  waiting: Waiting[];
  waitingBytes: number;
}

interface Waiting {
  req: IncomingMessage;
  res: ServerResponse;
  bytes: number;
}

interface PipelinedSocket extends Socket {
  [QUEUE]?: Queue;
  parser?: { onIncoming: unknown } | null;
}

export interface PipeliningBounds {
  /** Requests that may wait behind the one being answered. */
  maxWaiting: number;
  /** Bytes of request line and headers those waiting requests may hold, together. */
  maxWaitingBytes: number;
}

/** The request line and headers as they came, near enough: what a waiting request keeps in memory. */
function sizeOf(req: IncomingMessage): number {
  let bytes = (req.url?.length ?? 0) + (req.method?.length ?? 0);
  for (const field of req.rawHeaders) bytes += field.length + 2;
  return bytes;
}

/**
 * Closes a connection at once, with what it has left unparsed. Node parses the whole chunk it has read (up
 * to 64 KiB: thousands of small requests) before a close takes effect, a turn of the loop later, and would
 * make each request an object pair held until then. Answering the parser's next "headers complete" with 2
 * makes llhttp stop (HPE_PAUSED_UPGRADE) and Node drop the rest of the chunk; Node resets the hand-off when
 * it reuses the parser for another connection.
 */
function cut(socket: PipelinedSocket): void {
  if (socket.parser) socket.parser.onIncoming = () => 2;
  socket.destroy();
}

/**
 * Answers a connection's pipelined requests one at a time, in order, as nginx does: the next reaches `app`
 * once the answer before it has been handed to the socket. Node alone runs every pipelined request at once
 * and keeps each answer in memory until the client reads it. Here a waiting request holds only the objects
 * Node made for it, within `bounds`: a connection that queues more is cut, and `onCut` told. Whatever a
 * cut or closed connection left waiting is dropped, never answered.
 */
export function oneAtATime(app: RequestListener, bounds: PipeliningBounds, onCut: () => void): RequestListener {
  const answer = (socket: PipelinedSocket, queue: Queue, req: IncomingMessage, res: ServerResponse) => {
    queue.answering = true;
    res.once('close', () => {
      queue.answering = false;
      for (let next = queue.waiting.shift(); next !== undefined; next = queue.waiting.shift()) {
        queue.waitingBytes -= next.bytes;
        // A client that has gone (its half-close aborts the requests it sent) gets no more answers.
        if (socket.destroyed || next.req.destroyed) continue;
        answer(socket, queue, next.req, next.res);
        return;
      }
    });
    app(req, res);
  };
  return (req, res) => {
    const socket = req.socket as PipelinedSocket;
    if (socket.destroyed) return;
    const queue: Queue = socket[QUEUE] ?? { answering: false, waiting: [], waitingBytes: 0 };
    socket[QUEUE] = queue;
    if (!queue.answering) {
      answer(socket, queue, req, res);
      return;
    }
    const bytes = sizeOf(req);
    if (queue.waiting.length >= bounds.maxWaiting || queue.waitingBytes + bytes > bounds.maxWaitingBytes) {
      onCut();
      cut(socket);
      return;
    }
    queue.waiting.push({ req, res, bytes });
    queue.waitingBytes += bytes;
  };
}
