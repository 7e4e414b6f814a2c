import express, { type Express } from 'express';
import { errorHandler, notFound, rejectMalformedUrl } from './http/errors.ts';
import { requestLog } from './http/request-log.ts';
import { noStoreByDefault } from './http/cache-control.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { metricsRoutes } from './routes/metrics.ts';

/** /metrics alone, for METRICS_PORT: a listener an operator can keep off the public network. */
export function createMetricsApp(metrics: Metrics, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLog(logger));
  app.use(metrics.recordRequests);
  app.use(rejectMalformedUrl);
  app.use(noStoreByDefault);
  const router = express.Router({ caseSensitive: true });
  metricsRoutes(router, metrics);
  app.use(router);
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
