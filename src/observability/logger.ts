import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { writeSync } from 'node:fs';
import sonicBoom from 'sonic-boom';
import { createPendingLines } from './pending-lines.ts';

// sonic-boom is CommonJS: run from src/, Node offers only its module.exports, which carries the class (a
// named import works in the bundle alone).
const { SonicBoom } = sonicBoom;

export type { Logger };

/** Lines are dropped (and counted) once this many bytes wait for a slow stdout. */
export const LOG_BUFFER_LIMIT_BYTES = 1024 * 1024;

const DROPPED_LINES_MESSAGE = 'log lines dropped: stdout was slower than the log rate';
const LOST_LINES_MESSAGE = 'log lines lost: stdout failed';

export interface LogOutput {
  logger: Logger;
  /** Logs how many lines were dropped since the last report that got through, if any. */
  reportDropped(): void;
  /** Lines dropped or lost that no report has accounted for yet. */
  unreported(): number;
  /** Every line dropped or lost since start-up, reported or not (what a metric counts). */
  droppedTotal(): number;
  /** The error code that made stdout unusable (EPIPE when its reader went away), if one did. */
  failure(): string | undefined;
  /**
   * Writes out what is buffered, waiting at most timeoutMs for a slow reader, then closes the stream.
   * Resolves true when everything was written; lines still waiting when it gives up count as lost.
   */
  end(timeoutMs?: number): Promise<boolean>;
  /** Stops writing to stdout at once, for an exit that cannot wait: what is still buffered counts as lost. */
  abandon(): void;
}

// pino's asynchronous destination buffers without limit when stdout is slow (hundreds of MB under load);
// a synchronous one would stall every request behind the log reader. A bounded buffer keeps memory flat
// and keeps serving: when it is full, new lines are dropped and counted instead.
//
// When stdout fails for good (its reader closed the pipe: EPIPE), every line still buffered and every line
// after it is lost: those are counted too, and nothing more is written. pino's own destination would stop
// writing silently on EPIPE and crash the process on any other write error.
//
// A line logged once the output is ending (an error during the exit, a second signal) goes to stderr at once,
// synchronously: the stream is closing, and a write to it would throw inside whatever logged it.
export function createLogOutput(
  level: LevelWithSilent,
  fd = 1,
  limitBytes = LOG_BUFFER_LIMIT_BYTES,
  lateFd = 2,
): LogOutput {
  const stream = new SonicBoom({ fd, sync: false, maxLength: limitBytes });
  const pending = createPendingLines();
  let unreported = 0;
  let total = 0;
  let failure: string | undefined;
  let ending = false;
  const lose = (lines: number) => {
    unreported += lines;
    total += lines;
  };
  stream.on('drop', () => {
    lose(1);
  });
  stream.on('write', (bytes: number) => {
    pending.written(bytes);
  });
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (failure !== undefined) return;
    failure = error.code ?? error.message;
    lose(pending.clear());
  });
  const destination: DestinationStream = {
    write(line: string) {
      if (ending) {
        try {
          writeSync(lateFd, line);
        } catch {
          lose(1);
        }
        return;
      }
      if (failure !== undefined) {
        lose(1);
        return;
      }
      const lostBefore = total;
      stream.write(line);
      // 'drop' fires synchronously inside write(); a dropped line is counted there, not queued.
      if (total === lostBefore) pending.add(Buffer.byteLength(line));
    },
  };
  const logger = pino({ level }, destination);
  return {
    logger,
    reportDropped() {
      const count = unreported;
      // Reporting to a failed stdout would only lose the report too: the count waits for the exit report.
      if (count === 0 || failure !== undefined) return;
      unreported = 0;
      logger.warn({ droppedLines: count }, DROPPED_LINES_MESSAGE);
      // A report written into a full buffer is dropped too ('drop' fires synchronously): keep its count,
      // plus the report line itself, for the next attempt.
      if (unreported > 0) unreported += count;
    },
    unreported: () => unreported,
    droppedTotal: () => total,
    failure: () => failure,
    // flushSync() would race a write still in flight on the thread pool (lines out of order, or lost
    // at exit); end() lets that write finish first.
    end(timeoutMs = 1_000) {
      ending = true;
      return new Promise((resolve) => {
        const gaveUp = () => {
          lose(pending.clear());
          resolve(false);
        };
        if (failure !== undefined) {
          gaveUp();
          return;
        }
        const timer = setTimeout(gaveUp, timeoutMs);
        stream.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
        stream.end();
      });
    },
    abandon() {
      ending = true;
      lose(pending.clear());
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
 * Ends the output before the process exits. Lines stdout could not take (dropped, still buffered when time
 * ran out, or lost to a failed stdout) are counted on stderr, a separate stream, so no loss is silent.
 */
export async function closeLogOutput(
  output: LogOutput,
  level: LevelWithSilent,
  stderrFd = 2,
  timeoutMs?: number,
): Promise<void> {
  const flushed = await output.end(timeoutMs);
  const unreported = output.unreported();
  if (flushed && unreported === 0) return;
  const stderr = pino({ level }, pino.destination({ dest: stderrFd, sync: true }));
  const failure = output.failure();
  if (failure !== undefined) {
    stderr.warn({ droppedLines: unreported, error: failure }, `${LOST_LINES_MESSAGE} (${failure})`);
    return;
  }
  const tail = flushed ? '' : '; the last buffered lines were not written before exit';
  stderr.warn({ droppedLines: unreported }, `${DROPPED_LINES_MESSAGE}${tail}`);
}
