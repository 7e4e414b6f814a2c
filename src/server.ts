import { createServer } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createApp, createMetricsApp } from './http/app.ts';
import { loadStaticAssets } from './http/routes/static.ts';
import { trackConnections } from './lifecycle/connections.ts';
import { listen } from './lifecycle/listen.ts';
import { createReadiness } from './lifecycle/readiness.ts';
import { createShutdown } from './lifecycle/shutdown.ts';
import { closeLogOutput, createLogOutput, reportDroppedLines } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { systemClock } from './time.ts';

// The static assets as npm run build writes them, beside the bundle: one relative URL finds them from
// dist/server.js and from this source file alike.
const ASSETS_FOLDER = new URL('../dist/public/', import.meta.url);

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const config = configOrExit();

const output = createLogOutput(config.logLevel);
const { logger } = output;
const stopDropReports = reportDroppedLines(output);

async function exit(code: number): Promise<never> {
  stopDropReports();
  await closeLogOutput(output, config.logLevel);
  process.exit(code);
}

// One owner for process-level failure: log it, then exit non-zero so the orchestrator restarts us.
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  void exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.fatal({ err: reason }, 'unhandled rejection');
  void exit(1);
});

const readiness = createReadiness();
const metrics = createMetrics({
  buildInfo: { version: config.version, revision: config.revision, nodejs: process.version },
  droppedLogLines: () => output.droppedTotal(),
  isReady: () => readiness.isReady(),
});
const app = createApp({
  clock: systemClock,
  logger,
  readiness,
  assets: loadStaticAssets(ASSETS_FOLDER),
  metrics,
  config,
});
const server = createServer(
  {
    // Slow or stalled clients cannot hold a connection open for long (slowloris): a connection that has
    // not sent its whole header block within 10 s, silent ones included, gets a 408 and is closed.
    headersTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // Node enforces the two timeouts above only when it sweeps its connections, every 30 s by default:
    // a slow client then lived 10 to 40 s. Sweeping every second makes the 10 s bound true.
    connectionsCheckingInterval: 1_000,
  },
  app,
);

const listening = { host: config.host, fields: { timeZone: config.timeZone }, logger, exit };
listen(server, { ...listening, port: config.port, portVariable: 'PORT', what: 'listening' });
if (config.metricsPort !== undefined) {
  const metricsServer = createServer(createMetricsApp(metrics, logger));
  listen(metricsServer, {
    ...listening,
    port: config.metricsPort,
    portVariable: 'METRICS_PORT',
    what: 'metrics listening',
  });
}

const connections = trackConnections(server);
const shutdown = createShutdown({ server, connections, readiness, logger, graceMs: config.shutdownGraceMs, exit });
// Node as PID 1 (a container without --init) gets no default signal handling: these handlers are it.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
