import express, { type Express } from 'express';
import type { Config } from './config.ts';
import { noStoreByDefault } from './http/cache-control.ts';
import { errorHandler, notFound, rejectMalformedUrl } from './http/errors.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';
import { apiRoutes } from './routes/api.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { pageRoutes } from './routes/page.ts';
import { staticRoutes } from './routes/static.ts';
import type { StaticAssets } from './static-assets.ts';
import { createZonedTimeFormatter, type Clock } from './time.ts';

export interface AppDependencies {
  clock: Clock;
  logger: Logger;
  readiness: Readiness;
  assets: StaticAssets;
  metrics: Metrics;
  /** Whether /metrics is served here, or on a listener of its own (METRICS_PORT). */
  config: Pick<Config, 'timeZone' | 'metricsPort'>;
}

/** Assembles the application; listening, signals and the environment belong to server.ts. */
export function createApp({ clock, logger, readiness, assets, metrics, config }: AppDependencies): Express {
  const formatTime = createZonedTimeFormatter(config.timeZone);
  const app = express();
  app.disable('x-powered-by');
  // Every dynamic response is no-store, so hashing each body for an ETag would be wasted work.
  app.set('etag', false);
  app.use(requestLog(logger));
  app.use(metrics.recordRequests);
  app.use(securityHeaders());
  app.use(rejectMalformedUrl);
  app.use(noStoreByDefault);

  // Case-sensitive, so /API/time is a 404 like any unknown path rather than an alias.
  const router = express.Router({ caseSensitive: true });
  healthRoutes(router, readiness);
  pageRoutes(router, clock, formatTime, assets);
  apiRoutes(router, clock, formatTime);
  staticRoutes(router, assets);
  if (config.metricsPort === undefined) metricsRoutes(router, metrics);
  app.use(router);

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
