import { once } from 'node:events';
import { createServer, METHODS, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DURATION_BUCKETS_SECONDS } from '../../src/observability/request-series.ts';
import { testApp } from '../support/test-app.ts';

/** The sample lines of one metric family, as `name{labels} value`. */
function samples(exposition: string, name: string): string[] {
  return exposition.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

async function scrape(app: ReturnType<typeof testApp>['app']): Promise<string> {
  return (await request(app).get('/metrics').expect(200)).text;
}

describe('GET /metrics', () => {
  it('answers in the Prometheus text format, not to be cached', async () => {
    const res = await request(testApp().app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toMatch(/^# HELP /);
  });

  it('answers HEAD, OPTIONS and other methods like every other route', async () => {
    const { app } = testApp();
    await request(app).head('/metrics').expect(200);
    await request(app).options('/metrics').expect(204).expect('Allow', 'GET, HEAD, OPTIONS');
    await request(app).post('/metrics').expect(405).expect('Allow', 'GET, HEAD, OPTIONS');
  });

  it("carries Node's process metrics, without prom-client's three gauges that promtool rejects", async () => {
    const text = await scrape(testApp().app);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_active_handles',
    ]) {
      expect(samples(text, name), name).not.toEqual([]);
    }
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      expect(text).not.toContain(`${name} `);
    }
  });

  it('counts and times requests by method, route template and status', async () => {
    const { app, assetUrl } = testApp();
    for (let index = 0; index < 3; index += 1) await request(app).get('/api/time').expect(200);
    await request(app).get(assetUrl('clock.js')).expect(200);
    await request(app).get(assetUrl('style.css')).expect(200);
    await request(app).get('/no/such/page').expect(404);
    await request(app).delete('/api/time').expect(405);
    const text = await scrape(app);
    expect(samples(text, 'http_requests_total')).toEqual([
      'http_requests_total{method="GET",route="/api/time",status_code="200"} 3',
      'http_requests_total{method="GET",route="/static/:file",status_code="200"} 2',
      'http_requests_total{method="GET",route="unmatched",status_code="404"} 1',
      'http_requests_total{method="DELETE",route="/api/time",status_code="405"} 1',
    ]);
    expect(samples(text, 'http_request_duration_seconds_count')).toEqual([
      'http_request_duration_seconds_count{method="GET",route="/api/time",status_code="200"} 3',
      'http_request_duration_seconds_count{method="GET",route="/static/:file",status_code="200"} 2',
      'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1',
      'http_request_duration_seconds_count{method="DELETE",route="/api/time",status_code="405"} 1',
    ]);
    const buckets = samples(text, 'http_request_duration_seconds_bucket').filter((line) =>
      line.includes('route="/api/time",status_code="200"'),
    );
    expect(buckets.map((line) => /le="([^"]+)"/.exec(line)?.[1])).toEqual([
      ...DURATION_BUCKETS_SECONDS.map(String),
      '+Inf',
    ]);
  });

  it('counts dropped log lines, readiness, the build and the memory limit', async () => {
    const { app, readiness, dropLogLines } = testApp({ memoryLimitBytes: 134_217_728 });
    dropLogLines(7);
    let text = await scrape(app);
    expect(samples(text, 'moscow_time_log_lines_dropped_total')).toEqual(['moscow_time_log_lines_dropped_total 7']);
    expect(samples(text, 'moscow_time_ready')).toEqual(['moscow_time_ready 1']);
    expect(samples(text, 'moscow_time_build_info')).toEqual([
      'moscow_time_build_info{version="1.2.3",revision="abc1234",nodejs="v24.21.0"} 1',
    ]);
    expect(samples(text, 'moscow_time_memory_limit_bytes')).toEqual(['moscow_time_memory_limit_bytes 134217728']);
    dropLogLines(3);
    readiness.markShuttingDown();
    text = await scrape(app);
    expect(samples(text, 'moscow_time_log_lines_dropped_total')).toEqual(['moscow_time_log_lines_dropped_total 10']);
    expect(samples(text, 'moscow_time_ready')).toEqual(['moscow_time_ready 0']);
  });

  it('reports open connections, the limit, and what admission control shed, by reason', async () => {
    const { app, connections } = testApp();
    Object.assign(connections, { open: 12, max: 921 });
    Object.assign(connections.shed, { unavailable: 5, refused: 3, evicted: 2, busy: 4, pipelined: 6 });
    const text = await scrape(app);
    expect(samples(text, 'moscow_time_connections')).toEqual(['moscow_time_connections 12']);
    expect(samples(text, 'moscow_time_connections_max')).toEqual(['moscow_time_connections_max 921']);
    expect(samples(text, 'moscow_time_shed_total')).toEqual([
      'moscow_time_shed_total{reason="unavailable"} 5',
      'moscow_time_shed_total{reason="refused"} 3',
      'moscow_time_shed_total{reason="evicted"} 2',
      'moscow_time_shed_total{reason="busy"} 4',
      'moscow_time_shed_total{reason="pipelined"} 6',
    ]);
  });

  it('reports readiness 0 while overloaded', async () => {
    const { app, setOverloaded } = testApp();
    setOverloaded(true);
    expect(samples(await scrape(app), 'moscow_time_ready')).toEqual(['moscow_time_ready 0']);
  });

  it('has no memory limit metric where the process runs under none', async () => {
    expect(samples(await scrape(testApp().app), 'moscow_time_memory_limit_bytes')).toEqual([]);
  });

  it('is not served with the app when METRICS_PORT gives it a listener of its own', async () => {
    await request(testApp({ metricsPort: 9100 }).app)
      .get('/metrics')
      .expect(404);
  });
});

describe('label cardinality', () => {
  // Every method Node parses on every kind of path first, so each series that can exist exists; then
  // thousands of random paths (malformed ones included) and methods must not add a single one. 5,000
  // requests take about 3 s on an idle 2-core machine and passed 5 s with both cores busy: 60 s is room.
  it('stays bounded under thousands of random paths and methods', { timeout: 60_000 }, async () => {
    const { app } = testApp();
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    let seed = 42;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % below;
    };
    const paths = ['/', '/api/time', '/healthz', '/static/clock.0000000000.js', '/%zz', '/api/%E0%A4%A'];
    const randomPath = () =>
      random(3) === 0
        ? (paths[random(paths.length)] ?? '/')
        : `/${Array.from({ length: 1 + random(12) }, () => 'abcxyz%/._-09'[random(13)]).join('')}`;
    const send = (method = METHODS[random(METHODS.length)], path = randomPath()) =>
      new Promise<void>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, method, path }, (res) => {
          res.resume().on('end', resolve);
        });
        req.on('error', () => {
          resolve();
        });
        req.end();
      });
    const seriesCount = async () => samples(await scrape(app), 'http_requests_total').length;
    const batch = async (count: number) => {
      for (let index = 0; index < count; index += 25) await Promise.all(Array.from({ length: 25 }, () => send()));
    };
    try {
      const kinds = [...paths, '/favicon.ico', '/readyz', '/metrics', '/no/such/page', '/static/nope.js'];
      for (const method of METHODS) await Promise.all(kinds.map((path) => send(method, path)));
      const everyKind = await seriesCount();
      await batch(5_000);
      const lines = samples(await scrape(app), 'http_requests_total');
      expect(lines).toHaveLength(everyKind);
      // Bounded by construction, whatever clients send: every label value comes from a fixed set.
      const labels = lines.map((line) => /method="([^"]+)",route="([^"]+)",status_code="(\d+)"/.exec(line)?.slice(1));
      expect(new Set(labels.map((label) => label?.[0]))).toEqual(
        new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'other']),
      );
      const routes = [
        '/',
        '/api/time',
        '/healthz',
        '/readyz',
        '/static/:file',
        '/favicon.ico',
        '/metrics',
        'unmatched',
      ];
      expect(labels.every((label) => routes.includes(label?.[1] ?? ''))).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
