import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createApp } from '../../src/http/app.ts';
import { loadStaticAssets } from '../../src/http/routes/static.ts';
import { noShed } from '../../src/lifecycle/admission.ts';
import { createReadiness } from '../../src/lifecycle/readiness.ts';
import type { Logger } from '../../src/observability/logger.ts';
import { createMetrics, type ConnectionCounts } from '../../src/observability/metrics.ts';
import type { Clock } from '../../src/time.ts';

/** 2026-11-26T22:30:04.123Z, which is 01:30:04 on Friday 27 November in Moscow. */
export const START_MS = Date.UTC(2026, 10, 26, 22, 30, 4, 123);

export interface LogRecord {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A pino logger whose JSON lines land in memory, parsed. */
export function memoryLogger(level = 'info'): { logger: Logger; records: LogRecord[]; raw: string[] } {
  const raw: string[] = [];
  const records: LogRecord[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString();
      raw.push(line);
      records.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  return { logger: pino({ level }, sink), records, raw };
}

export interface TestAppOptions {
  clock?: Clock;
  timeZone?: string;
  /** Set: /metrics is served on a listener of its own, not by this app. */
  metricsPort?: number;
  memoryLimitBytes?: number;
}

const TEST_BUILD = { version: '1.2.3', revision: 'abc1234', nodejs: 'v24.21.0' };

/** A fresh app per test, with a clock the test moves by hand and logs it can read. */
export function testApp({ clock, timeZone = 'Europe/Moscow', metricsPort, memoryLimitBytes }: TestAppOptions = {}) {
  let nowMs = START_MS;
  let droppedLogLines = 0;
  let overloaded = false;
  const connections: ConnectionCounts = {
    open: 0,
    max: 1000,
    shed: noShed(),
  };
  const manualClock: Clock = () => nowMs;
  const { logger, records, raw } = memoryLogger();
  const readiness = createReadiness(() => overloaded);
  const assets = loadStaticAssets(new URL('../../dist/public/', import.meta.url));
  const app = createApp({
    clock: clock ?? manualClock,
    logger,
    readiness,
    assets,
    metrics: createMetrics({
      buildInfo: TEST_BUILD,
      droppedLogLines: () => droppedLogLines,
      isReady: () => readiness.state() === 'ready',
      memoryLimitBytes,
      connections: () => connections,
    }),
    config: { timeZone, metricsPort },
  });
  return {
    app,
    readiness,
    logs: records,
    assetUrl: (name: string) => assets.url(name),
    rawLogs: raw,
    advance: (ms: number) => {
      nowMs += ms;
    },
    dropLogLines: (count: number) => {
      droppedLogLines += count;
    },
    /** What admission control would say: at the connection limit or not. */
    setOverloaded: (value: boolean) => {
      overloaded = value;
    },
    /** The connection figures /metrics reports, for the test to set. */
    connections,
  };
}
