import type { Router } from 'express';
import type { Readiness } from '../../lifecycle/readiness.ts';
import { readOnly } from '../methods.ts';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';
/** Answered even in the overflow lane, past the connection limit (lifecycle/admission.ts). */
export const PROBE_PATHS: ReadonlySet<string> = new Set([LIVENESS_PATH, READINESS_PATH]);

export function healthRoutes(router: Router, readiness: Readiness): void {
  // Liveness: answering at all is the proof, overloaded or not. A busy process is not a broken one, and an
  // orchestrator that restarted it would only move its load, and lose its requests in flight.
  readOnly(router, LIVENESS_PATH, (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: 503 while the server is at its connection limit, and from the first moment of shutdown, so
  // load balancers send new work elsewhere.
  readOnly(router, READINESS_PATH, (_req, res) => {
    const status = readiness.state();
    res.status(status === 'ready' ? 200 : 503).json({ status });
  });
}
