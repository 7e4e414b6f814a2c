import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/** Lines are dropped (and counted) once this many bytes wait for a slow stdout. */
export const LOG_BUFFER_LIMIT_BYTES = 1024 * 1024;

export const DROPPED_LINES_MESSAGE = 'log lines dropped: stdout was slower than the log rate';

export interface LogOutput {
  logger: Logger;
  /** Logs how many lines were dropped since the last report that got through, if any. */
  reportDropped(): void;
  /** Lines dropped that no report has accounted for yet. */
  unreported(): number;
  /**
   * Writes out what is buffered, waiting at most timeoutMs for a slow reader, then closes the stream.
   * Resolves true when everything was written.
   */
  end(timeoutMs?: number): Promise<boolean>;
}

// pino's asynchronous destination buffers without limit when stdout is slow (hundreds of MB under load);
// a synchronous one would stall every request behind the log reader. A bounded buffer keeps memory flat
// and keeps serving: when it is full, new lines are dropped and counted instead.
export function createLogOutput(level: LogLevel, fd = 1, limitBytes = LOG_BUFFER_LIMIT_BYTES): LogOutput {
  const stream = pino.destination({ dest: fd, sync: false, maxLength: limitBytes });
  const logger = pino({ level }, stream);
  let dropped = 0;
  stream.on('drop', () => {
    dropped += 1;
  });
  return {
    logger,
    reportDropped() {
      const count = dropped;
      if (count === 0) return;
      dropped = 0;
      logger.warn({ droppedLines: count }, DROPPED_LINES_MESSAGE);
      // A report written into a full buffer is dropped too ('drop' fires synchronously): keep its count,
      // plus the report line itself, for the next attempt.
      if (dropped > 0) dropped += count;
    },
    unreported: () => dropped,
    // flushSync() would race a write still in flight on the thread pool (lines out of order, or lost
    // at exit); end() lets that write finish first.
    end(timeoutMs = 1_000) {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs, false);
        stream.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
        stream.end();
      });
    },
  };
}

/** Reports dropped lines at most once per interval; the returned function stops and reports a last time. */
export function reportDroppedLines(output: LogOutput, intervalMs = 10_000): () => void {
  const timer = setInterval(() => {
    output.reportDropped();
  }, intervalMs).unref();
  return () => {
    clearInterval(timer);
    output.reportDropped();
  };
}

/**
 * Ends the output before the process exits. A count that stdout could not take (its buffer still full,
 * or not written out in time) goes to stderr, a separate stream, so the loss is never silent.
 */
export async function closeLogOutput(
  output: LogOutput,
  level: LogLevel,
  stderrFd = 2,
  timeoutMs?: number,
): Promise<void> {
  const flushed = await output.end(timeoutMs);
  const unreported = output.unreported();
  if (flushed && unreported === 0) return;
  const stderr = pino({ level }, pino.destination({ dest: stderrFd, sync: true }));
  const tail = flushed ? '' : '; the last buffered lines were not written before exit';
  stderr.warn({ droppedLines: unreported }, `${DROPPED_LINES_MESSAGE}${tail}`);
}
