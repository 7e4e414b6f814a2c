import { describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { HEALTHCHECK_BUNDLE, HOLDING_MARKER, SERVER_BUNDLE, run, startServer } from '../support/server-process.ts';

// These run the built bundle as a real process; the real clock is fine here, with generous bounds.

/**
 * The health probe as Docker's HEALTHCHECK runs it (--retries=3): healthy unless three tries in a row fail.
 * Each try has the probe's own 2 s bound, which a machine busy with other tests can exceed once.
 */
async function probeLikeDocker(env: Record<string, string>) {
  let result = await run(HEALTHCHECK_BUNDLE, env);
  for (let retry = 1; retry < 3 && result.code !== 0; retry += 1) result = await run(HEALTHCHECK_BUNDLE, env);
  return result;
}
describe('the server process', () => {
  it('finishes a slow in-flight request on SIGTERM, refuses new connections and exits 0', async () => {
    const server = await startServer({ responseDelayMs: 1500 });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const slow = fetch(`${base}/api/time`);
    // The hook says when it holds the request: from then on it is certainly in flight.
    await server.stderrShows(HOLDING_MARKER);
    server.child.kill('SIGTERM');

    const response = await slow;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { iso: string }).iso).toMatch(/\+03:00$/);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    const lines = server
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; path?: string; status?: number });
    // The /readyz probe is logged at debug; the slow request when its answer ends, after the signal.
    expect(lines.map((line) => line.msg)).toEqual([
      expect.stringMatching(/^listening on http:\/\/127\.0\.0\.1:\d+$/),
      'shutting down: draining in-flight requests',
      'request',
      'stopped',
    ]);
    expect(lines[2]).toMatchObject({ msg: 'request', path: '/api/time', status: 200 });
  });

  it('listens on a port the system picks when PORT=0, and logs that port', async () => {
    const server = await startServer();
    try {
      const listening = JSON.parse(server.stdout().split('\n')[0] ?? '') as { port: number; msg: string };
      expect(listening.port).toBeGreaterThan(0);
      expect(listening.msg).toBe(`listening on http://127.0.0.1:${listening.port}`);
      expect((await fetch(`http://127.0.0.1:${listening.port}/healthz`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('serves /metrics and the health probes on a listener of its own with METRICS_PORT', async () => {
    const server = await startServer({ env: { METRICS_PORT: '0', VERSION: '9.9.9', REVISION: 'feedbee' } });
    try {
      // The two listeners start side by side: the metrics one may log its line after the app's.
      const metrics = JSON.parse(await server.stdoutShows('"msg":"metrics listening on')) as {
        msg: string;
        port: number;
      };
      expect(metrics.msg).toBe(`metrics listening on http://127.0.0.1:${String(metrics.port)}`);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
      const scrape = await fetch(`http://127.0.0.1:${String(metrics.port)}/metrics`);
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain(
        `moscow_time_build_info{version="9.9.9",revision="feedbee",nodejs="${process.version}"} 1`,
      );
      for (const [path, body] of [
        ['/healthz', { status: 'ok' }],
        ['/readyz', { status: 'ready' }],
      ] as const) {
        const probe = await fetch(`http://127.0.0.1:${String(metrics.port)}${path}`);
        expect(probe.status).toBe(200);
        expect(await probe.json()).toEqual(body);
      }
      expect((await fetch(`http://127.0.0.1:${String(metrics.port)}/api/time`)).status).toBe(404);
      // The health probe asks the metrics listener.
      expect(
        await probeLikeDocker({ PORT: String(server.port), METRICS_PORT: String(metrics.port), HOST: '127.0.0.1' }),
      ).toMatchObject({ code: 0, stderr: '' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('closes the metrics listener as soon as shutdown begins, while the app drains', async () => {
    const server = await startServer({ responseDelayMs: 1500, env: { METRICS_PORT: '0' } });
    const metricsPort = (JSON.parse(await server.stdoutShows('"msg":"metrics listening on')) as { port: number }).port;
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
    const slow = fetch(`http://127.0.0.1:${server.port}/api/time`);
    await server.stderrShows(HOLDING_MARKER);
    server.child.kill('SIGTERM');
    // Both listeners close in the same step that writes this line.
    await server.stdoutShows('"msg":"shutting down');
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
    expect((await slow).status).toBe(200);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on SIGINT too', async () => {
    const server = await startServer();
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  // A module loaded before the server (node --import) fails once the server has set itself up (its SIGTERM
  // handler exists), as a bug in a timer or a promise would.
  it.each([
    ['an uncaught exception', 'throw new Error("boom in a timer")', 'uncaught exception', 'boom in a timer'],
    [
      'an unhandled rejection',
      'void Promise.reject(new Error("boom in a promise"))',
      'unhandled rejection',
      'boom in a promise',
    ],
  ])('logs %s and exits 1', async (_kind, failure, message, errorMessage) => {
    const failOnceUp = `data:text/javascript,const poll = setInterval(() => { if (process.listenerCount("SIGTERM") > 0) { clearInterval(poll); ${failure}; } }, 10);`;
    const result = await run(SERVER_BUNDLE, { PORT: '0', HOST: '127.0.0.1' }, { nodeArgs: ['--import', failOnceUp] });
    expect(result.code).toBe(1);
    const fatal = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } })
      .find((record) => record.level === 60);
    expect(fatal).toMatchObject({ msg: message, err: { message: errorMessage } });
  });

  it('refuses invalid configuration with one line naming the variable, and exit code 1', async () => {
    const result = await run(SERVER_BUNDLE, { TIMEZONE: 'Mars/Olympus_Mons' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Invalid TIMEZONE="Mars/Olympus_Mons": expected an IANA time zone such as Europe/Moscow\n',
    );
    expect(result.stdout).toBe('');
  });
});

describe('the health probe', () => {
  it('refuses PORT=0, which names no server to probe', async () => {
    expect(await run(HEALTHCHECK_BUNDLE, { PORT: '0' })).toMatchObject({
      code: 1,
      stderr:
        'healthcheck: Invalid PORT="0": expected a TCP port number from 1 to 65535 (the probe needs the real port)\n',
    });
  });

  it('exits 0 while the server answers /healthz', async () => {
    const server = await startServer();
    try {
      expect(await probeLikeDocker({ PORT: String(server.port), HOST: '127.0.0.1' })).toMatchObject({
        code: 0,
        stderr: '',
      });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('exits 1 with a reason when nothing listens', async () => {
    const port = await freePort();
    const result = await run(HEALTHCHECK_BUNDLE, { PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`healthcheck: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it('exits 1 on invalid configuration, naming the variable', async () => {
    expect(await run(HEALTHCHECK_BUNDLE, { PORT: 'http' })).toMatchObject({
      code: 1,
      stderr:
        'healthcheck: Invalid PORT="http": expected a TCP port number from 1 to 65535 (the probe needs the real port)\n',
    });
  });
});
