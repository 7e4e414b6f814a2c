import { request } from 'node:http';
import { ConfigError, loadProbeTarget } from './config.ts';
import { LIVENESS_PATH } from './http/routes/health.ts';

// The probe both images run for HEALTHCHECK: distroless has no shell and no curl, so it is Node too.
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
  const probe = request({ host: probeHost(host), port, path: LIVENESS_PATH, timeout: TIMEOUT_MS }, (res) => {
    res.resume();
    if (res.statusCode === 200) process.exit(0);
    fail(`${LIVENESS_PATH} answered ${res.statusCode}`);
  });
  probe.on('timeout', () => probe.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
  probe.on('error', (error) => fail(error.message));
  probe.end();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
