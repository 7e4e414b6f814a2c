import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../support/test-app.ts';

describe('request log', () => {
  it('writes one JSON line per request with method, path, status, duration and request id', async () => {
    const { app, logs } = testApp();
    const res = await request(app).get('/api/time?token=abc');
    const lines = logs.filter((record) => record.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      path: '/api/time',
      status: 200,
      reqId: res.headers['x-request-id'],
      completed: true,
    });
    expect(lines[0]?.durationMs).toEqual(expect.any(Number));
  });

  it('keeps a well-formed X-Request-Id from the client and replaces anything else', async () => {
    const { app, logs } = testApp();
    await request(app).get('/api/time').set('X-Request-Id', 'abc-123').expect('X-Request-Id', 'abc-123');
    const replaced = await request(app).get('/api/time').set('X-Request-Id', '<script>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.map((record) => record.reqId)).toEqual(['abc-123', replaced.headers['x-request-id']]);
  });

  it('never logs cookies, Authorization or the query string', async () => {
    const { app, rawLogs } = testApp();
    await request(app).get('/?password=hunter2').set('Cookie', 'session=s3cr3t').set('Authorization', 'Bearer t0k3n');
    const text = rawLogs.join('');
    for (const secret of ['s3cr3t', 't0k3n', 'hunter2', 'cookie', 'authorization'])
      expect(text.toLowerCase()).not.toContain(secret);
  });

  it('logs client errors as warn and server errors as error', async () => {
    const failing = testApp({
      clock: () => {
        throw new Error('boom');
      },
    });
    await request(failing.app).get('/nope');
    await request(failing.app).get('/api/time');
    const levels = failing.logs
      .filter((record) => record.msg === 'request')
      .map((record) => [record.status, record.level]);
    expect(levels).toEqual([
      [404, 40],
      [500, 50],
    ]);
  });

  it('logs scrapes and health probes at debug while they succeed, and a failing one as warn', async () => {
    const { app, readiness, logs } = testApp();
    await request(app).get('/healthz').expect(200);
    await request(app).get('/readyz').expect(200);
    await request(app).get('/metrics').expect(200);
    await request(app).get('/api/time').expect(200);
    readiness.markShuttingDown();
    await request(app).get('/readyz').expect(503);
    // The test logger logs from info up, as production does by default.
    expect(logs.filter((record) => record.msg === 'request').map((record) => [record.path, record.level])).toEqual([
      ['/api/time', 30],
      ['/readyz', 40],
    ]);
  });
});
