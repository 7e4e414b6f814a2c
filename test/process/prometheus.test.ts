import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort } from '../support/free-port.ts';
import { skipWithout } from '../support/requirement.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';

// The real Prometheus (Debian's prometheus package: prometheus and promtool), never an imitation of it.
const promtoolMissing = skipWithout({
  present: spawnSync('promtool', ['--version']).status === 0,
  switchName: 'REQUIRE_PROMETHEUS',
  missing: 'no promtool',
  tests: 'Prometheus tests',
  install: 'apt-get install prometheus',
});

function promtool(args: string[], input?: string) {
  const result = spawnSync('promtool', args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(promtoolMissing)('checked by promtool', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it("passes promtool's lint on the app's real /metrics output", async () => {
    for (const path of ['/', '/api/time', '/nope']) await fetch(`http://127.0.0.1:${server.port}${path}`);
    const exposition = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(exposition).toContain('http_requests_total{method="GET",route="/api/time",status_code="200"} 1');
    expect(promtool(['check', 'metrics'], exposition)).toEqual({ code: 0, output: '' });
  });

  it("fails that lint on prom-client's unfiltered defaults, which the app drops", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const result = promtool(['check', 'metrics'], await registry.metrics());
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('nodejs_active_handles_total non-counter metrics should not have "_total" suffix');
  });

  it('accepts the scrape configuration and the alert rules', () => {
    expect(promtool(['check', 'config', 'monitoring/prometheus.yml']).code).toBe(0);
    expect(promtool(['check', 'rules', 'monitoring/alerts.yml']).code).toBe(0);
  });

  it('rejects a rule file with a broken expression', () => {
    const folder = mkdtempSync(join(tmpdir(), 'moscow-time-rules-'));
    try {
      const broken = readFileSync('monitoring/alerts.yml', 'utf8').replace(
        'up{job="moscow-time"} == 0',
        'up{job="moscow-time"} ==',
      );
      writeFileSync(join(folder, 'alerts.yml'), broken);
      expect(promtool(['check', 'rules', join(folder, 'alerts.yml')]).code).not.toBe(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('passes the alert unit tests: each alert firing, and not firing', () => {
    const result = promtool(['test', 'rules', 'monitoring/alerts.test.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });
});

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe.skipIf(promtoolMissing)('scraped by a real Prometheus', () => {
  let server: RunningServer;
  let prometheus: ChildProcess;
  let api: string;
  let folder: string;

  beforeAll(async () => {
    server = await startServer();
    folder = mkdtempSync(join(tmpdir(), 'moscow-time-prometheus-'));
    // The checked-in configuration, pointed at this test's server and scraping every second.
    const config = parse(readFileSync('monitoring/prometheus.yml', 'utf8')) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    config.global.scrape_interval = '1s';
    config.global.evaluation_interval = '1s';
    config.rule_files = [resolve('monitoring/alerts.yml')];
    const job = config.scrape_configs[0];
    if (job === undefined) throw new Error('monitoring/prometheus.yml has no scrape job');
    job.static_configs = [{ targets: [`127.0.0.1:${server.port}`] }];
    writeFileSync(join(folder, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    api = `http://127.0.0.1:${port}/api/v1`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(folder, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(folder, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    await vi.waitFor(
      async () => {
        expect((await fetch(`${api}/status/buildinfo`)).status).toBe(200);
      },
      { timeout: 30_000, interval: 200 },
    );
  }, 60_000);

  afterAll(async () => {
    prometheus.kill('SIGTERM');
    await once(prometheus, 'exit');
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(folder, { recursive: true, force: true });
  });

  const query = async (expression: string) =>
    (await (await fetch(`${api}/query?query=${encodeURIComponent(expression)}`)).json()) as QueryResult;

  it('finds the target up, and computes the request rate and the p99 from what it scraped', async () => {
    const traffic = setInterval(() => {
      for (const path of ['/', '/api/time'])
        void fetch(`http://127.0.0.1:${server.port}${path}`).then((res) => res.text());
    }, 20);
    try {
      await vi.waitFor(
        async () => {
          const up = await query('up{job="moscow-time"}');
          expect(up.data.result.map((sample) => sample.value[1])).toEqual(['1']);
          const rate = await query('sum(rate(http_requests_total{route="/api/time"}[5s]))');
          expect(Number(rate.data.result[0]?.value[1])).toBeGreaterThan(0);
          const p99 = await query(
            'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route="/api/time"}[5s])))',
          );
          const seconds = Number(p99.data.result[0]?.value[1]);
          expect(seconds).toBeGreaterThan(0);
          expect(seconds).toBeLessThan(2.5);
        },
        { timeout: 30_000, interval: 500 },
      );
    } finally {
      clearInterval(traffic);
    }
  }, 60_000);

  it('loads the alert rules, none of them firing against a healthy server', async () => {
    const rules = (await (await fetch(`${api}/rules`)).json()) as {
      data: { groups: { rules: { name: string; state: string }[] }[] };
    };
    const alerts = rules.data.groups.flatMap((group) => group.rules);
    expect(alerts.map((rule) => rule.name).sort()).toEqual([
      'MoscowTimeDown',
      'MoscowTimeLogLinesDropped',
      'MoscowTimeMemoryNearLimit',
      'MoscowTimeServerErrors',
      'MoscowTimeShedding',
      'MoscowTimeSlowAnswers',
    ]);
    expect(alerts.filter((rule) => rule.state !== 'inactive')).toEqual([]);
  });
});
