import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../observability/logger.ts';

const CLIENT_REQUEST_ID = /^[\w.:-]{1,64}$/;

function levelOf(status: number, routine: boolean): 'debug' | 'info' | 'warn' | 'error' {
  // /readyz answers 503 on purpose while the server drains: worth a warning, not an error.
  if (routine && status < 400) return 'debug';
  if (routine && status === 503) return 'warn';
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

/**
 * One line per request with five fields, and never a header: cookies and Authorization cannot leak.
 * (pino-http serializes whole request and response objects, which costs throughput for nothing we use.)
 * Requests to `routinePaths` are logged at debug while they succeed.
 */
export function requestLog(logger: Logger, routinePaths: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.once('close', () => {
      const status = res.statusCode;
      const path = req.originalUrl.split('?', 1)[0] ?? '';
      const level = levelOf(status, routinePaths.has(path));
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      const completed = res.writableFinished;
      logger[level]({ reqId: id, method: req.method, path, status, durationMs, completed }, 'request');
    });
    next();
  };
}
