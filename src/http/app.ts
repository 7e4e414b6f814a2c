import type { Express } from 'express';
import type { Config } from '../config.ts';
import type { Readiness } from '../lifecycle/readiness.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createZonedTimeFormatter, type Clock } from '../time.ts';
import { createExpressApp } from './express-app.ts';
import { apiRoutes } from './routes/api.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { pageRoutes } from './routes/page.ts';
import { staticRoutes } from './routes/static.ts';
import { securityHeaders } from './security-headers.ts';
import type { StaticAssets } from './static-assets.ts';

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
  return createExpressApp({
    logger,
    metrics,
    middleware: [securityHeaders()],
    routes: (router) => {
      healthRoutes(router, readiness);
      pageRoutes(router, clock, formatTime, assets);
      apiRoutes(router, clock, formatTime);
      staticRoutes(router, assets);
      if (config.metricsPort === undefined) metricsRoutes(router, metrics);
    },
  });
}
