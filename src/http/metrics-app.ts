import type { Express } from 'express';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { createExpressApp } from './express-app.ts';
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
