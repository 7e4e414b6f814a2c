import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { noStoreByDefault } from './cache-control.ts';
import { errorHandler, notFound, rejectMalformedUrl } from './errors.ts';
import { requestLog } from './request-log.ts';

export interface ExpressAppParts {
  logger: Logger;
  metrics: Metrics;
  /** Middleware for every request, after logging and metrics, before the URL is checked. */
  middleware?: RequestHandler[];
  /** Mounts the routes this app serves. */
  routes: (router: Router) => void;
}

/**
 * What every listener of the server shares, so the app and the metrics listener cannot drift apart: each
 * request logged and counted, a malformed URL a 400, no-store by default, a 404 for what no route matched
 * and an error handler that never shows a stack.
 */
export function createExpressApp({ logger, metrics, middleware = [], routes }: ExpressAppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every dynamic response is no-store, so hashing each body for an ETag would be wasted work.
  app.set('etag', false);
  app.use(requestLog(logger));
  app.use(metrics.recordRequests);
  for (const handler of middleware) app.use(handler);
  app.use(rejectMalformedUrl);
  app.use(noStoreByDefault);

  // Case-sensitive, so /API/time is a 404 like any unknown path rather than an alias.
  const router = express.Router({ caseSensitive: true });
  routes(router);
  app.use(router);

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
