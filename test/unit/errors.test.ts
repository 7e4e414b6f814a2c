import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { rawRequest } from '../support/raw-http.ts';
import { testApp } from '../support/test-app.ts';

const ROUTES = ['/', '/api/time', '/healthz', '/readyz', '/favicon.ico', testApp().assetUrl('clock.js')];

describe('unknown paths', () => {
  it('answer 404 as an HTML page outside /api/', async () => {
    const res = await request(testApp().app)
      .get('/no/such/page')
      .expect(404)
      .expect('Content-Type', /text\/html/);
    expect(res.text).toContain('<h1>404 Not Found</h1>');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answer 404 as JSON under /api/', async () => {
    await request(testApp().app).get('/api/nope').expect(404, { error: 'Not Found' }).expect('Content-Type', /json/);
  });

  it('stay 404 for other methods, OPTIONS included', async () => {
    await request(testApp().app).post('/no/such/page').expect(404);
    await request(testApp().app).options('/no/such/page').expect(404);
    await request(testApp().app).options('/static/clock.0000000000.js').expect(404);
    await request(testApp().app).delete('/static/clock.0000000000.js').expect(404);
  });

  it('match case-sensitively: /API/time is unknown, not an alias', async () => {
    await request(testApp().app).get('/API/time').expect(404);
    await request(testApp().app).get('/Healthz').expect(404);
  });
});

describe('methods', () => {
  it.each(
    ROUTES.flatMap((path) => (['post', 'put', 'patch', 'delete'] as const).map((method) => [method, path] as const)),
  )('%s %s answers 405 with Allow', async (method, path) => {
    const res = await request(testApp().app)[method](path).expect(405).expect('Allow', 'GET, HEAD, OPTIONS');
    if (path.startsWith('/api/')) expect(res.body).toEqual({ error: 'Method Not Allowed' });
    else expect(res.text).toContain('405 Method Not Allowed');
  });

  it.each(ROUTES)('OPTIONS %s answers 204 with Allow', async (path) => {
    const res = await request(testApp().app).options(path).expect(204).expect('Allow', 'GET, HEAD, OPTIONS');
    expect(res.text).toBe('');
  });

  it('leaves methods Node cannot parse to Node: 400', async () => {
    const reply = await rawRequest(testApp().app, 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
  });
});

describe('malformed requests', () => {
  it.each(['/%E0%A4%A', '/%zz', '/static/%', '/api/%c3%28'])('bad percent-encoding in %s answers 400', async (path) => {
    const res = await request(testApp().app).get(path).expect(400);
    expect(res.text).toContain('Bad Request');
  });

  it('oversized headers get Node’s 431', async () => {
    const reply = await rawRequest(
      testApp().app,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large/);
  });

  it.each([
    ['two Host lines', 'Host: a.example\r\nHost: b.example\r\n'],
    ['the same Host twice', 'Host: x\r\nhost: x\r\n'],
    ['a Host after other headers', 'Host: x\r\nAccept: */*\r\nHOST: y\r\n'],
  ])('%s: 400, as RFC 9112 asks of more than one Host line', async (_case, headers) => {
    for (const path of ['/', '/api/time']) {
      const reply = await rawRequest(testApp().app, `GET ${path} HTTP/1.1\r\n${headers}\r\n`);
      expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(reply).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });

  it('one Host line, in any case, is fine', async () => {
    const reply = await rawRequest(testApp().app, 'GET /api/time HTTP/1.1\r\nhOsT: x\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('a missing Host is Node’s 400', async () => {
    const reply = await rawRequest(testApp().app, 'GET / HTTP/1.1\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
  });

  it('an oversized URL counts toward the same limit', async () => {
    const reply = await rawRequest(testApp().app, `GET /${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431/);
  });
});

describe('failures inside the app', () => {
  const failingClock = () => {
    throw new Error('secret internal detail');
  };

  it('answer a bland 500, with no message or stack, whatever NODE_ENV says', async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    try {
      const { app, logs } = testApp({ clock: failingClock });
      const page = await request(app).get('/').expect(500);
      const api = await request(app).get('/api/time').expect(500, { error: 'Internal Server Error' });
      for (const body of [page.text, api.text]) {
        expect(body).not.toContain('secret internal detail');
        expect(body).not.toMatch(/\bat .*\.ts:\d+/);
      }
      expect(page.text).toContain('500 Internal Server Error');
      const failure = logs.find((record) => record.msg === 'request failed');
      expect(failure?.err).toMatchObject({ message: 'secret internal detail' });
    } finally {
      process.env.NODE_ENV = saved;
    }
  });
});
