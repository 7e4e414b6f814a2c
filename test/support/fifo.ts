import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Fifo {
  /** The pipe's name, for another process to open. */
  path: string;
  /** The write end, to hand to a server as its stdout (or to a log stream in this process). */
  writer: number;
  /** Reads whatever is waiting, at most `limit` bytes (or everything); returns false at end of file. */
  read: (limit?: number) => boolean;
  text: () => string;
  close: () => void;
}

// A named pipe is a real kernel pipe with its 64 KiB buffer, as behind `docker logs`; the pipes
// child_process creates are socket pairs, which buffer differently. The write end blocks when full, like a
// container's log pipe, unless `nonBlockingWriter` is set: a writer in this very process must not park
// a thread-pool thread on a pipe that only this process reads.
export function openFifo({ nonBlockingWriter = false } = {}): Fifo {
  const folder = mkdtempSync(join(tmpdir(), 'moscow-time-pipe-'));
  const path = join(folder, 'stdout');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | (nonBlockingWriter ? constants.O_NONBLOCK : 0));
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  return {
    path,
    writer,
    read(limit = Number.POSITIVE_INFINITY) {
      let total = 0;
      while (total < limit) {
        let count: number;
        try {
          count = readSync(reader, buffer, 0, Math.min(buffer.length, limit - total), null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return true;
          throw error;
        }
        if (count === 0) return false;
        chunks.push(Buffer.from(buffer.subarray(0, count)));
        total += count;
      }
      return true;
    },
    text: () => Buffer.concat(chunks).toString(),
    close: () => {
      closeSync(reader);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
