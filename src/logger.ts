import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/** Lines are dropped (and counted) once this many bytes wait for a slow stdout. */
export const LOG_BUFFER_LIMIT_BYTES = 1024 * 1024;

export interface LogOutput {
  logger: Logger;
  /** Lines dropped since the last call; resets the count. */
  takeDropped(): number;
  /** Writes out what is buffered, waiting at most timeoutMs for a slow reader, then closes the stream. */
  end(timeoutMs?: number): Promise<void>;
}

// pino's asynchronous destination buffers without limit when stdout is slow (hundreds of MB under load);
// a synchronous one would stall every request behind the log reader. A bounded buffer keeps memory flat
// and keeps serving: when it is full, new lines are dropped and counted instead.
export function createLogOutput(level: LogLevel, fd = 1, limitBytes = LOG_BUFFER_LIMIT_BYTES): LogOutput {
  const stream = pino.destination({ dest: fd, sync: false, maxLength: limitBytes });
  let dropped = 0;
  stream.on('drop', () => {
    dropped += 1;
  });
  return {
    logger: pino({ level }, stream),
    takeDropped() {
      const count = dropped;
      dropped = 0;
      return count;
    },
    // flushSync() would race a write still in flight on the thread pool (lines out of order, or lost
    // at exit); end() lets that write finish first.
    end(timeoutMs = 1_000) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        stream.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        stream.end();
      });
    },
  };
}

/** Logs, at most once per interval, how many lines the bounded buffer had to drop. */
export function reportDroppedLines(output: LogOutput, intervalMs = 10_000): () => void {
  const report = () => {
    const count = output.takeDropped();
    if (count > 0) output.logger.warn({ droppedLines: count }, 'log lines dropped: stdout was slower than the log rate');
  };
  const timer = setInterval(report, intervalMs).unref();
  return () => {
    clearInterval(timer);
    report();
  };
}
