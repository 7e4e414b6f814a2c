import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../observability/logger.ts';
import type { Connections } from './connections.ts';
import type { ConnectionLimits } from './connection-limits.ts';
import { oneAtATime } from './pipelining.ts';

/** Under pressure, a connection with no request in progress for this long gives its place up. */
const IDLE_UNDER_PRESSURE_MS = 1_000;
const SWEEP_MS = 250;
/**
 * Event-loop delay beyond which new requests are answered 503 (as @fastify/under-pressure's
 * maxEventLoopDelay): past it, every connection's next answer waits that long, probes included. Well above
 * what an overload within the limit causes (100 connections × 10 pipelined: a few hundred ms).
 */
const MAX_EVENT_LOOP_DELAY_MS = 1_000;
/** What a shed request's Retry-After asks for, in seconds. */
const RETRY_AFTER_SECONDS = 1;

const OVERFLOW = Symbol('admitted to the overflow lane');
interface LaneSocket extends Socket {
  [OVERFLOW]?: true;
}

/**
 * Why load was shed, each counted since start-up:
 * - unavailable: requests answered 503 in the overflow lane;
 * - refused: connections closed at accept, beyond the limit;
 * - evicted: idle connections closed to make room while under pressure;
 * - busy: requests answered 503 because the event loop was behind by more than MAX_EVENT_LOOP_DELAY_MS;
 * - pipelined: connections closed for sending more than `limits.pipelined` requests ahead of their answers.
 */
const SHED_REASONS = ['unavailable', 'refused', 'evicted', 'busy', 'pipelined'] as const;
export type Shed = Record<(typeof SHED_REASONS)[number], number>;

/** The counts before anything is shed: every reason, at zero. */
export function noShed(): Shed {
  return Object.fromEntries(SHED_REASONS.map((reason) => [reason, 0])) as Shed;
}

export interface Admission {
  /** The app behind the overflow lane: the listener for the server's 'request' event. */
  guard(app: RequestListener): RequestListener;
  /**
   * While the server is full, or its event loop far behind: /readyz answers 503, and idle connections are
   * closed.
   */
  underPressure(): boolean;
  shed(): Shed;
}

export interface AdmissionControl {
  server: Server;
  connections: Connections;
  limits: ConnectionLimits;
  /** Paths answered in the overflow lane too: the health probes. */
  probePaths: ReadonlySet<string>;
  idleUnderPressureMs?: number;
  sweepMs?: number;
  maxEventLoopDelayMs?: number;
  /** Milliseconds, monotonic: how late the sweep runs tells how far behind the event loop is. */
  now?: () => number;
}

const API_BODY = Buffer.from('{"error":"Service Unavailable"}');
const TEXT_BODY = Buffer.from('Service Unavailable: the server is overloaded; retry shortly.\n');

// Answered without Express: in the overflow lane a refusal must cost far less than the answer it replaces.
// Plain text or JSON, neither of which a browser runs, so none of the page's security headers is needed.
function refuse(req: IncomingMessage, res: ServerResponse): void {
  const api = req.url?.startsWith('/api/') === true;
  const body = api ? API_BODY : TEXT_BODY;
  res.writeHead(503, {
    'Content-Type': api ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'Retry-After': String(RETRY_AFTER_SECONDS),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

/**
 * Bounds what the server accepts, so that overload gets fast refusals instead of a crash:
 * - beyond `limits.max` open connections, a new one is closed at accept (Node's maxConnections);
 * - beyond `limits.served`, a new one enters an overflow lane: its probes (`probePaths`) are answered, any
 *   other request gets a 503 with Retry-After, and the connection closes after one answer. The gap between
 *   the two numbers keeps liveness probes answerable while the server is full;
 * - from `served` on, the server is under pressure: connections idle for a second are closed, so silent or
 *   slow clients (slowloris) cannot keep out the ones that send;
 * - while the event loop is behind by more than maxEventLoopDelayMs (too much work for the CPU, within the
 *   connection limit), it is under pressure too, and every request but a probe gets the 503 at once, which
 *   costs a fraction of an answer: the loop catches up, and probes and the answers still given stay prompt.
 */
export function admit({
  server,
  connections,
  limits,
  probePaths,
  idleUnderPressureMs = IDLE_UNDER_PRESSURE_MS,
  sweepMs = SWEEP_MS,
  maxEventLoopDelayMs = MAX_EVENT_LOOP_DELAY_MS,
  now = () => performance.now(),
}: AdmissionControl): Admission {
  const shed = noShed();
  server.maxConnections = limits.max;
  server.on('drop', () => {
    shed.refused += 1;
  });
  // connections.ts registered its 'connection' listener first, so this socket is counted already.
  server.on('connection', (socket: LaneSocket) => {
    if (connections.open() > limits.served) socket[OVERFLOW] = true;
  });
  let behind = false;
  const underPressure = () => behind || connections.open() >= limits.served;
  let lastSweep = now();
  setInterval(() => {
    const at = now();
    behind = at - lastSweep - sweepMs > maxEventLoopDelayMs;
    lastSweep = at;
    if (!underPressure()) return;
    for (const socket of connections.idleFor(idleUnderPressureMs)) {
      shed.evicted += 1;
      socket.destroy();
    }
  }, sweepMs).unref();
  const isProbe = (req: IncomingMessage) => probePaths.has(req.url?.split('?', 1)[0] ?? '');
  return {
    guard: (app) => {
      return oneAtATime(
        (req, res) => {
          if ((req.socket as LaneSocket)[OVERFLOW] === true) {
            res.shouldKeepAlive = false;
            if (isProbe(req)) {
              app(req, res);
              return;
            }
            shed.unavailable += 1;
            refuse(req, res);
            return;
          }
          if (behind && !isProbe(req)) {
            shed.busy += 1;
            refuse(req, res);
            return;
          }
          app(req, res);
        },
        { maxWaiting: limits.pipelined - 1, maxWaitingBytes: limits.pipelinedBytes },
        () => {
          shed.pipelined += 1;
        },
      );
    },
    underPressure,
    shed: () => ({ ...shed }),
  };
}

/**
 * Logs what was shed, at most once per interval and only when something was: under a flood a line per
 * refusal would add to the load. The returned function stops it.
 */
export function reportShedding(admission: Admission, logger: Logger, intervalMs = 10_000): () => void {
  let reported = admission.shed();
  const timer = setInterval(() => {
    const current = admission.shed();
    const since = Object.fromEntries(
      Object.entries(current).map(([reason, count]) => [reason, count - reported[reason as keyof Shed]]),
    );
    if (Object.values(since).every((count) => count === 0)) return;
    reported = current;
    logger.warn({ ...since, intervalMs }, 'overloaded: shed load at the connection limit');
  }, intervalMs).unref();
  return () => {
    clearInterval(timer);
  };
}
