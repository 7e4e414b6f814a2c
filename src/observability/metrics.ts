import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { createRequestSeries } from './request-series.ts';

/** What the build_info metric says about this process. */
interface BuildInfo {
  version: string;
  revision: string;
  nodejs: string;
}

export interface MetricsSources {
  buildInfo: BuildInfo;
  /** Every log line dropped or lost since start-up (the logger's count). */
  droppedLogLines: () => number;
  isReady: () => boolean;
  /** The memory limit the process runs under (a container's), when there is one. */
  memoryLimitBytes: number | undefined;
  /** Open connections, the limit, and what admission control shed (lifecycle/admission.ts). */
  connections: () => ConnectionCounts;
}

export interface ConnectionCounts {
  open: number;
  max: number;
  /** What admission control shed, by reason (lifecycle/admission.ts names them): each is a series. */
  shed: Readonly<Record<string, number>>;
}

export interface Metrics {
  /** Middleware that counts and times every request, by method, route template and status. */
  recordRequests: RequestHandler;
  /** The exposition the /metrics route answers with. */
  render(): Promise<string>;
  contentType: string;
}

/** The route label of every request no route matched: one value, whatever path a client invents. */
const UNMATCHED_ROUTE = 'unmatched';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** The method label of any other method Node lets through (PROPFIND, PURGE, …): one value. */
const OTHER_METHOD = 'other';

// prom-client's three "active" gauges end in _total, a suffix Prometheus reserves for counters: promtool's
// lint rejects them. Their unsuffixed twins (nodejs_active_handles, …) carry the same numbers.
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : UNMATCHED_ROUTE;
}

export function createMetrics({
  buildInfo,
  droppedLogLines,
  isReady,
  memoryLimitBytes,
  connections,
}: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);

  const requests = createRequestSeries();
  new Counter({
    name: 'moscow_time_log_lines_dropped_total',
    help: 'Log lines dropped because stdout was slow, or lost because it failed',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(droppedLogLines());
    },
  });
  new Gauge({
    name: 'moscow_time_ready',
    help: '1 while the server takes new work, 0 while it is at its connection limit or shutting down',
    registers: [registry],
    collect() {
      this.set(isReady() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'moscow_time_build_info',
    help: 'Always 1; the labels say what is running',
    labelNames: ['version', 'revision', 'nodejs'],
    registers: [registry],
  }).set({ ...buildInfo }, 1);
  if (memoryLimitBytes !== undefined) {
    new Gauge({
      name: 'moscow_time_memory_limit_bytes',
      help: 'The memory limit the process runs under (its container’s)',
      registers: [registry],
    }).set(memoryLimitBytes);
  }
  new Gauge({
    name: 'moscow_time_connections',
    help: 'Connections open now',
    registers: [registry],
    collect() {
      this.set(connections().open);
    },
  });
  new Gauge({
    name: 'moscow_time_connections_max',
    help: 'Open connections beyond which new ones are refused at accept',
    registers: [registry],
    collect() {
      this.set(connections().max);
    },
  });
  new Counter({
    name: 'moscow_time_shed_total',
    help: 'Load shed by admission control: requests answered 503, connections refused, evicted or cut',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(connections().shed)) this.inc({ reason }, count);
    },
  });

  const record = (req: Request, res: Response, started: number) => {
    const method = METHODS.has(req.method) ? req.method : OTHER_METHOD;
    requests.record(method, routeOf(req), res.statusCode, (performance.now() - started) / 1000);
  };

  return {
    recordRequests: (req, res, next) => {
      const started = performance.now();
      res.once('close', () => {
        record(req, res, started);
      });
      next();
    },
    // Node's and the app's own metrics from prom-client's registry, then the request series.
    render: async () => `${await registry.metrics()}${requests.exposition()}`,
    contentType: registry.contentType,
  };
}
