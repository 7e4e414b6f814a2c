// Progress while the stand-ins are made, in the manner of docker build: each step numbered as it starts,
// where it has got to every few seconds while it runs, and its time when it ends. On stderr: stdout keeps
// the result alone, the two tags.

/** Tells the step's progress what the step is doing now, and how far it has got. */
export type Report = (status: string) => void;

export interface Progress {
  step<T>(title: string, work: (report: Report) => Promise<T>): Promise<T>;
}

/** How often a running step says where it is: often enough to show it moves, seldom enough to read. */
export const TICK_MS = 5_000;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function createProgress(
  steps: number,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  now: () => number = () => performance.now(),
): Progress {
  let started = 0;
  return {
    async step(title, work) {
      started += 1;
      const number = `[${String(started)}/${String(steps)}]`;
      const since = now();
      let status = '';
      write(`${number} ${title}`);
      const ticker = setInterval(() => {
        write(`${number} ${seconds(now() - since)}${status === '' ? '' : `: ${status}`}`);
      }, TICK_MS);
      try {
        const result = await work((text) => (status = text));
        write(`${number} done in ${seconds(now() - since)}`);
        return result;
      } catch (error) {
        write(`${number} failed after ${seconds(now() - since)}`);
        throw error;
      } finally {
        clearInterval(ticker);
      }
    },
  };
}

/** "120.0 of 224.3 MB" */
export function megabytesOf(done: number, total: number): string {
  return `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
}
