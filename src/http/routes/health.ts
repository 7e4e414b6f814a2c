import type { Router } from 'express';
import type { Readiness } from '../../lifecycle/readiness.ts';
import { readOnly } from '../methods.ts';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

export function healthRoutes(router: Router, readiness: Readiness): void {
  // Liveness: answering at all is the proof.
  readOnly(router, LIVENESS_PATH, (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: 503 from the first moment of shutdown, so load balancers stop sending work.
  readOnly(router, READINESS_PATH, (_req, res) => {
    if (readiness.isReady()) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'shutting down' });
  });
}
