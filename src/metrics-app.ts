import type { Express } from 'express';
import { createExpressApp } from './http/express-app.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { metricsRoutes } from './routes/metrics.ts';

/** /metrics alone, for METRICS_PORT: a listener an operator can keep off the public network. */
export function createMetricsApp(metrics: Metrics, logger: Logger): Express {
  return createExpressApp({
    logger,
    metrics,
    routes: (router) => {
      metricsRoutes(router, metrics);
    },
  });
}
