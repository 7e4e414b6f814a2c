import type { Router } from 'express';
import type { Metrics } from '../../observability/metrics.ts';
import { readOnly } from '../methods.ts';

export const METRICS_PATH = '/metrics';

export function metricsRoutes(router: Router, metrics: Metrics): void {
  // The Prometheus text format; no-store like every dynamic answer.
  readOnly(router, METRICS_PATH, async (_req, res) => {
    const body = await metrics.render();
    res.setHeader('Content-Type', metrics.contentType);
    res.send(body);
  });
}
