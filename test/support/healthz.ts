import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

function probe(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => {
      resolve(0);
    });
    req.end();
  });
}

/**
 * Polls /healthz on loopback until it answers 200; resolves with performance.now() at that moment. Every
 * millisecond by default, so a start-up time is measured to the millisecond.
 */
export async function firstHealthy(port: number, timeoutMs = 10_000, intervalMs = 1): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await probe(port)) === 200) return performance.now();
    await sleep(intervalMs);
  }
  throw new Error(`no 200 on /healthz at port ${port} within ${timeoutMs} ms`);
}
