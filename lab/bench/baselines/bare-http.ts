// Yardstick: node:http alone, answering the app's routes with the same bodies.
import { createServer } from 'node:http';
import { listenAddress, timeJson, timePage } from './bodies.ts';

const server = createServer((req, res) => {
  const path = req.url?.split('?', 1)[0];
  if (path === '/api/time' || path === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(path === '/healthz' ? '{"status":"ok"}' : timeJson());
  } else if (path === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(timePage());
  } else {
    res.writeHead(404).end();
  }
});
const { port, host } = listenAddress();
server.listen(port, host);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
