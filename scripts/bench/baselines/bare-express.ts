// Yardstick: Express with its defaults and nothing else (no helmet, no logging), same bodies as the app.
import express from 'express';
import { listenAddress, timeJson, timePage } from './bodies.ts';

const app = express();
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
