import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { START_MS, testApp } from '../support/test-app.ts';

describe('GET /', () => {
  it('renders the current Moscow time on the server', async () => {
    const { app } = testApp();
    const res = await request(app).get('/').expect(200).expect('Content-Type', 'text/html; charset=utf-8');
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('<h1>Current time in Moscow</h1>');
    expect(res.text).toContain(`<time id="clock" datetime="2026-11-27T01:30:04.123+03:00" data-epoch-ms="${START_MS}"`);
    expect(res.text).toContain('>01:30:04</time>');
    expect(res.text).toContain('Friday, 27 November 2026');
    expect(res.text).toContain('Europe/Moscow (UTC+03:00)');
    expect(res.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('shows a later time on a later request, with no client code', async () => {
    const { app, advance } = testApp();
    const first = await request(app).get('/');
    advance(61_000);
    const second = await request(app).get('/');
    expect(first.text).toContain('>01:30:04</time>');
    expect(second.text).toContain('>01:31:05</time>');
  });

  it('is never cached', async () => {
    await request(testApp().app).get('/').expect('Cache-Control', 'no-store');
  });

  it('loads its script, style and icon from hashed /static/ URLs, with nothing inline or external', async () => {
    const { text } = await request(testApp().app).get('/');
    expect(text).toMatch(/<script src="\/static\/clock\.[0-9a-f]{10}\.js" defer><\/script>/);
    expect(text).toMatch(/<link rel="stylesheet" href="\/static\/style\.[0-9a-f]{10}\.css">/);
    expect(text).toMatch(/<link rel="icon" href="\/static\/favicon\.[0-9a-f]{10}\.svg" type="image\/svg\+xml">/);
    expect(text).not.toMatch(/<script>|<style|style="|https?:\/\//);
  });

  it('names the configured zone and its city', async () => {
    const { text } = await request(testApp({ timeZone: 'America/New_York' }).app).get('/');
    expect(text).toContain('<h1>Current time in New York</h1>');
    expect(text).toContain('America/New_York (UTC-05:00)');
    expect(text).toContain('>17:30:04</time>');
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await request(testApp().app)
      .head('/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(res.text).toBeUndefined();
  });
});

describe('GET /api/time', () => {
  it('returns the zone, an ISO timestamp with the offset, epoch ms and the display string', async () => {
    const res = await request(testApp().app)
      .get('/api/time')
      .expect(200)
      .expect('Content-Type', /application\/json/);
    expect(res.body).toEqual({
      zone: 'Europe/Moscow',
      offset: '+03:00',
      iso: '2026-11-27T01:30:04.123+03:00',
      epochMs: START_MS,
      time: '01:30:04',
      date: 'Friday, 27 November 2026',
      display: 'Friday, 27 November 2026, 01:30:04',
    });
  });

  it('moves with the clock and is never cached', async () => {
    const { app, advance } = testApp();
    advance(2500);
    const res = await request(app).get('/api/time').expect('Cache-Control', 'no-store');
    expect(res.body).toMatchObject({ epochMs: START_MS + 2500, time: '01:30:06' });
  });
});

describe('static assets', () => {
  async function scriptUrl(app: Parameters<typeof request>[0]): Promise<string> {
    const { text } = await request(app).get('/');
    const url = /src="(\/static\/clock\.[0-9a-f]+\.js)"/.exec(text)?.[1];
    if (url === undefined) throw new Error('the page names no clock script');
    return url;
  }

  it('serves the built clock script under its hashed name, as JavaScript, cached immutably', async () => {
    const { app } = testApp();
    const res = await request(app)
      .get(await scriptUrl(app))
      .expect(200)
      .expect('Content-Type', 'text/javascript; charset=utf-8')
      .expect('Cache-Control', 'public, max-age=31536000, immutable');
    expect(res.text).toBe(readFileSync('dist/public/clock.js', 'utf8'));
  });

  it('answers 404 for an old or unknown hash', async () => {
    await request(testApp().app).get('/static/clock.0000000000.js').expect(404);
    await request(testApp().app).get('/static/clock.js').expect(404);
  });

  it('serves a favicon at /favicon.ico for pages without an icon link', async () => {
    const res = await request(testApp().app).get('/favicon.ico').expect(200).expect('Content-Type', 'image/svg+xml');
    expect(String(res.body)).toContain('<svg');
  });
});

describe('health', () => {
  it('/healthz answers 200 while the process serves, overloaded or shutting down', async () => {
    const { app, readiness, setOverloaded } = testApp();
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    setOverloaded(true);
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    readiness.markShuttingDown();
    await request(app).get('/healthz').expect(200);
  });

  it('/readyz answers 503 while the server is at its connection limit, and 200 again after', async () => {
    const { app, setOverloaded } = testApp();
    setOverloaded(true);
    await request(app).get('/readyz').expect(503, { status: 'overloaded' });
    setOverloaded(false);
    await request(app).get('/readyz').expect(200, { status: 'ready' });
  });

  it('/readyz turns 503 the moment shutdown begins, and stays so, overloaded or not', async () => {
    const { app, readiness, setOverloaded } = testApp();
    await request(app).get('/readyz').expect(200, { status: 'ready' });
    readiness.markShuttingDown();
    await request(app).get('/readyz').expect(503, { status: 'shutting down' });
    setOverloaded(true);
    await request(app).get('/readyz').expect(503, { status: 'shutting down' });
  });
});
