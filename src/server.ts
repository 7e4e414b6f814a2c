import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createApp, createMetricsApp } from './http/app.ts';
import { PROBE_PATHS } from './http/routes/health.ts';
import { loadStaticAssets, type StaticAssets } from './http/routes/static.ts';
import { reportShedding } from './lifecycle/admission.ts';
import { connectionLimits, memoryLimit } from './lifecycle/connection-limits.ts';
import { createHttpServer, listen } from './lifecycle/listen.ts';
import { createPublicServer } from './lifecycle/public-server.ts';
import { createReadiness } from './lifecycle/readiness.ts';
import { createShutdown } from './lifecycle/shutdown.ts';
import { closeLogOutput, createLogOutput, reportDroppedLines } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { systemClock } from './time.ts';

// The static assets as npm run build writes them, beside the bundle: one relative URL finds them from
// dist/server.js and from this source file alike.
const ASSETS_FOLDER = new URL('../dist/public/', import.meta.url);
/** The metrics listener serves one scraper, the platform's probes, and an operator or two. */
const METRICS_MAX_CONNECTIONS = 16;

function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

// Started from its sources before any build (node src/server.ts on a fresh clone), the server has no
// assets to serve: one line says so, as for a bad variable.
function assetsOrExit(): StaticAssets {
  try {
    return loadStaticAssets(ASSETS_FOLDER);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    process.stderr.write(`no static assets in ${fileURLToPath(ASSETS_FOLDER)}: npm run build writes them\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const assets = assetsOrExit();

const output = createLogOutput(config.logLevel);
const { logger } = output;
const stopDropReports = reportDroppedLines(output);

// The exit path runs once, whoever asks first (shutdown, a failing listener, an uncaught error); a later
// caller can only raise the exit code.
let exitCode: number | undefined;
async function exit(code: number): Promise<void> {
  if (exitCode !== undefined) {
    exitCode = Math.max(exitCode, code);
    return;
  }
  exitCode = code;
  stopDropReports();
  await closeLogOutput(output, config.logLevel);
  process.exit(exitCode);
}

/** No flush, no drain: one line on stderr, then exit 1. */
function abort(signal: string): never {
  stopDropReports();
  output.abandon();
  logger.warn({ signal, droppedLines: output.unreported() }, 'second signal during shutdown: exiting now');
  process.exit(1);
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

const limits = connectionLimits(undefined, config.maxConnections);
const { server, connections, admission, serve } = createPublicServer({ limits, probePaths: PROBE_PATHS });
reportShedding(admission, logger);
const readiness = createReadiness(() => admission.underPressure());
const metrics = createMetrics({
  buildInfo: { version: config.version, revision: config.revision, nodejs: process.version },
  droppedLogLines: () => output.droppedTotal(),
  isReady: () => readiness.state() === 'ready',
  memoryLimitBytes: memoryLimit(),
  connections: () => ({ open: connections.open(), max: limits.max, shed: admission.shed() }),
});
const app = createApp({
  clock: systemClock,
  logger,
  readiness,
  assets,
  metrics,
  config,
});
serve(app);

const listening = { host: config.host, fields: { timeZone: config.timeZone }, logger, exit };
listen(server, {
  ...listening,
  fields: { ...listening.fields, maxConnections: limits.max },
  port: config.port,
  portVariable: 'PORT',
  what: 'listening',
});
const alsoClose = [];
if (config.metricsPort !== undefined) {
  const metricsServer = createHttpServer();
  metricsServer.maxConnections = METRICS_MAX_CONNECTIONS;
  metricsServer.on('request', createMetricsApp({ metrics, logger, readiness }));
  listen(metricsServer, {
    ...listening,
    port: config.metricsPort,
    portVariable: 'METRICS_PORT',
    what: 'metrics listening',
  });
  alsoClose.push(metricsServer);
}

const shutdown = createShutdown({
  server,
  connections,
  alsoClose,
  readiness,
  logger,
  graceMs: config.shutdownGraceMs,
  exit,
  abort,
});
// Node as PID 1 (a container without --init) gets no default signal handling: these handlers are it.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
