import { connect } from 'node:net';
import { ConfigError, loadProbeTarget } from './config.ts';
import { LIVENESS_PATH } from './http/routes/health.ts';

// The probe both images run for HEALTHCHECK: distroless has no shell and no curl, so it is Node too. It runs
// inside the app's container, in its memory limit, every 10 s: so it speaks the one request it needs over a
// plain socket. node:http would load Node's whole HTTP stack for it: 14.4 MB of memory at its peak against
// 8.7 MB (measured by polling /proc/<pid>/status, RssAnon), which the app's own budget would have to spare.
const TIMEOUT_MS = 2_000;

function probeHost(listenHost: string): string {
  if (listenHost === '0.0.0.0') return '127.0.0.1';
  if (listenHost === '::') return '::1';
  return listenHost;
}

function fail(reason: string): never {
  process.stderr.write(`healthcheck: ${reason}\n`);
  process.exit(1);
}

try {
  const { host, port } = loadProbeTarget(process.env);
  const socket = connect({ host: probeHost(host), port, timeout: TIMEOUT_MS }, () => {
    socket.write(`GET ${LIVENESS_PATH} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  });
  let reply = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => {
    reply += chunk;
    const statusLine = reply.split('\r\n', 1)[0] ?? '';
    if (reply.length === statusLine.length) return;
    const status = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine)?.[1];
    if (status === '200') process.exit(0);
    fail(`${LIVENESS_PATH} answered ${status ?? JSON.stringify(statusLine)}`);
  });
  socket.on('timeout', () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
  socket.on('error', (error) => fail(error.message));
  socket.on('end', () => fail(`the connection closed before an answer`));
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
