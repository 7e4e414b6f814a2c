import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../observability/logger.ts';
import { renderErrorPage } from './views/error-page.ts';

/** Answers with the status's standard reason only: never an error message, never a stack. */
export function sendError(req: Request, res: Response, status: number): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  res.status(status);
  if (req.path.startsWith('/api/')) res.json({ error: reason });
  else res.type('html').send(renderErrorPage(status, reason));
}

export const notFound: RequestHandler = (req, res) => {
  sendError(req, res, 404);
};

// Express's errors carry a client status (400 for a malformed parameter, say); anything else is a bug.
function clientStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** Replaces Express's default handler, which prints the stack whenever NODE_ENV is not "production". */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = clientStatusOf(error) ?? 500;
    if (status === 500) logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(req, res, status);
  };
}

/**
 * More than one Host line is a 400 (RFC 9112, section 3.2): two names for one request could be read as
 * either by whatever else sees it. Node keeps the first and says nothing. (A missing Host is Node's 400.)
 */
export const rejectRepeatedHost: RequestHandler = (req, res, next) => {
  let hosts = 0;
  for (let index = 0; index < req.rawHeaders.length; index += 2) {
    const name = req.rawHeaders[index];
    if (name?.length === 4 && name.toLowerCase() === 'host') hosts += 1;
  }
  if (hosts > 1) {
    sendError(req, res, 400);
    return;
  }
  next();
};

/** Bad percent-encoding is the client's fault: 400, where Express would answer 404 or fail later. */
export const rejectMalformedUrl: RequestHandler = (req, res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    sendError(req, res, 400);
    return;
  }
  next();
};
