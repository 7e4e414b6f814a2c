import { describe, expect, it } from 'vitest';
import { HEALTHCHECK_BUNDLE, SERVER_BUNDLE, freePort, run, startServer } from './support/server-process.ts';

// These run the built bundle as a real process; the real clock is fine here, with generous bounds.
describe('the server process', () => {
  it('finishes a slow in-flight request on SIGTERM, refuses new connections and exits 0', async () => {
    const server = await startServer({ TEST_RESPONSE_DELAY_MS: '1500' });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const slow = fetch(`${base}/api/time`);
    await new Promise((resolve) => setTimeout(resolve, 300));
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
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down: draining in-flight requests', 'stopped']),
    );
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', path: '/api/time', status: 200 }));
  });

  it('exits 0 on SIGINT too', async () => {
    const server = await startServer();
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  // A module loaded before the server (node --import) fails once the server has set itself up (its SIGTERM
  // handler exists), as a bug in a timer or a promise would.
  it.each([
    ['an uncaught exception', 'throw new Error("boom in a timer")', 'uncaught exception'],
    ['an unhandled rejection', 'void Promise.reject(new Error("boom in a promise"))', 'unhandled rejection'],
  ])('logs %s and exits 1', async (_kind, failure, message) => {
    const failOnceUp = `data:text/javascript,const poll = setInterval(() => { if (process.listenerCount("SIGTERM") > 0) { clearInterval(poll); ${failure}; } }, 10);`;
    const result = await run(SERVER_BUNDLE, { PORT: String(await freePort()), HOST: '127.0.0.1' }, [
      '--import',
      failOnceUp,
    ]);
    expect(result.code).toBe(1);
    const fatal = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } })
      .find((record) => record.level === 60);
    expect(fatal).toMatchObject({ msg: message, err: { message: expect.stringContaining('boom') as unknown } });
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
  it('exits 0 while the server answers /healthz', async () => {
    const server = await startServer();
    try {
      expect(await run(HEALTHCHECK_BUNDLE, { PORT: String(server.port), HOST: '127.0.0.1' })).toMatchObject({
        code: 0,
        stderr: '',
      });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('exits 1 with a reason when nothing listens', async () => {
    const result = await run(HEALTHCHECK_BUNDLE, { PORT: String(await freePort()) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^healthcheck: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
  });

  it('exits 1 on invalid configuration, naming the variable', async () => {
    expect(await run(HEALTHCHECK_BUNDLE, { PORT: 'http' })).toMatchObject({
      code: 1,
      stderr: 'healthcheck: Invalid PORT="http": expected a TCP port number from 1 to 65535\n',
    });
  });
});
