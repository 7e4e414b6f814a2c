import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../observability/logger.ts';

const CLIENT_REQUEST_ID = /^[\w.:-]{1,64}$/;

// Scrapes and health probes arrive every few seconds from the platform, forever: logged at debug while
// they succeed, so the info log is the app's traffic. They are still counted in /metrics, and a failing
// one is logged like any other request.
const ROUTINE_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

function levelOf(status: number, routine: boolean): 'debug' | 'info' | 'warn' | 'error' {
  // /readyz answers 503 on purpose while the server drains: worth a warning, not an error.
  if (routine && status < 400) return 'debug';
  if (routine && status === 503) return 'warn';
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

// One line per request with five fields, and never a header: cookies and Authorization cannot leak.
// (pino-http serializes whole request and response objects, which costs throughput for nothing we use.)
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.once('close', () => {
      const status = res.statusCode;
      const path = req.originalUrl.split('?', 1)[0] ?? '';
      const level = levelOf(status, ROUTINE_PATHS.has(path));
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      const completed = res.writableFinished;
      logger[level]({ reqId: id, method: req.method, path, status, durationMs, completed }, 'request');
    });
    next();
  };
}
