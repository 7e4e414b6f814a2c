import type { RequestHandler, Router } from 'express';
import { sendError } from './errors.ts';

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

// Express answers other methods on a GET route with 404, and OPTIONS with 200; HTTP wants 405 and 204.
const otherMethods: RequestHandler = (req, res) => {
  res.setHeader('Allow', ALLOWED_METHODS);
  if (req.method === 'OPTIONS') res.status(204).end();
  else sendError(req, res, 405);
};

/**
 * Mounts a read-only resource: GET (and so HEAD) served, OPTIONS answered, every other method 405.
 * `resolve`, when given, runs first whatever the method, so an unknown resource is a 404 rather than a 405.
 */
export function readOnly(router: Router, path: string, handler: RequestHandler, resolve?: RequestHandler): void {
  const route = router.route(path);
  if (resolve !== undefined) route.all(resolve);
  route.get(handler).all(otherMethods);
}
