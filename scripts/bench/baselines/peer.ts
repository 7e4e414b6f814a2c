// The peer: what a user would write instead of this app. Express with helmet's defaults and pino-http
// logging every request, the same routes and bodies, run with Node's defaults.
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { listenAddress, timeJson, timePage } from './bodies.ts';

const app = express();
app.use(helmet());
app.use(pinoHttp());
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
