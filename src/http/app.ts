import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Config } from '../config.ts';
import type { Readiness } from '../lifecycle/readiness.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createZonedTimeFormatter, type Clock } from '../time.ts';
import { noStoreByDefault } from './cache-control.ts';
import { errorHandler, notFound, rejectMalformedUrl, rejectRepeatedHost } from './errors.ts';
import { requestLog } from './request-log.ts';
import { apiRoutes } from './routes/api.ts';
import { healthRoutes, LIVENESS_PATH, READINESS_PATH } from './routes/health.ts';
import { METRICS_PATH, metricsRoutes } from './routes/metrics.ts';
import { pageRoutes } from './routes/page.ts';
import { staticRoutes, type StaticAssets } from './routes/static.ts';
import { securityHeaders } from './security-headers.ts';

export interface AppDependencies {
  clock: Clock;
  logger: Logger;
  readiness: Readiness;
  assets: StaticAssets;
  metrics: Metrics;
  /** Whether /metrics is served here, or on a listener of its own (METRICS_PORT). */
  config: Pick<Config, 'timeZone' | 'metricsPort'>;
}

// Scrapes and health probes arrive every few seconds from the platform, forever: logged at debug while
// they succeed, so the info log is the app's traffic. They are still counted in /metrics, and a failing
// one is logged like any other request.
const ROUTINE_PATHS = new Set([METRICS_PATH, LIVENESS_PATH, READINESS_PATH]);

/** Assembles the application; listening, signals and the environment belong to server.ts. */
export function createApp({ clock, logger, readiness, assets, metrics, config }: AppDependencies): Express {
  const formatTime = createZonedTimeFormatter(config.timeZone);
  return assemble(logger, metrics, [securityHeaders()], (router) => {
    healthRoutes(router, readiness);
    pageRoutes(router, clock, formatTime, assets);
    apiRoutes(router, clock, formatTime);
    staticRoutes(router, assets);
    if (config.metricsPort === undefined) metricsRoutes(router, metrics);
  });
}

/**
 * /metrics and the health probes, for METRICS_PORT: a listener an operator can keep off the public network,
 * and one a flood of connections to the public port cannot starve, so probes there always get through.
 */
export function createMetricsApp({
  metrics,
  logger,
  readiness,
}: Pick<AppDependencies, 'metrics' | 'logger' | 'readiness'>): Express {
  return assemble(logger, metrics, [], (router) => {
    metricsRoutes(router, metrics);
    healthRoutes(router, readiness);
  });
}

/**
 * What both apps share, so the two listeners cannot drift apart: each request logged and counted, a
 * malformed URL a 400, no-store by default, a 404 for what no route matched and an error handler that never
 * shows a stack. `middleware` runs after logging and metrics, before the URL is checked.
 */
function assemble(
  logger: Logger,
  metrics: Metrics,
  middleware: RequestHandler[],
  mountRoutes: (router: Router) => void,
): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every dynamic response is no-store, so hashing each body for an ETag would be wasted work.
  app.set('etag', false);
  app.use(requestLog(logger, ROUTINE_PATHS));
  app.use(metrics.recordRequests);
  for (const handler of middleware) app.use(handler);
  app.use(rejectRepeatedHost);
  app.use(rejectMalformedUrl);
  app.use(noStoreByDefault);

  // Case-sensitive, so /API/time is a 404 like any unknown path rather than an alias.
  const router = express.Router({ caseSensitive: true });
  mountRoutes(router);
  app.use(router);

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
