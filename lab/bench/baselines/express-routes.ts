import type { Express } from 'express';
import { listenAddress, timeJson, timePage } from './bodies.ts';

/**
 * What every Express contender serves after its own middleware: the app's routes and bodies. Then it
 * listens, and stops on SIGTERM.
 */
export function serveTimeRoutes(app: Express): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/api/time', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('json').send(timeJson());
  });
  app.get('/', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(timePage());
  });
  const { port, host } = listenAddress();
  const server = app.listen(port, host);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
