import type { Router } from 'express';
import type { Readiness } from '../../lifecycle/readiness.ts';
import { readOnly } from '../methods.ts';

export function healthRoutes(router: Router, readiness: Readiness): void {
  // Liveness: answering at all is the proof.
  readOnly(router, '/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: 503 from the first moment of shutdown, so load balancers stop sending work.
  readOnly(router, '/readyz', (_req, res) => {
    if (readiness.isReady()) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'shutting down' });
  });
}
