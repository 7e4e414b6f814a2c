import { describe, expect, it } from 'vitest';
import { startServer } from '../support/server-process.ts';

// Ctrl-C twice, or a `docker stop` followed by an impatient kill -TERM: a second signal may land anywhere
// in the shutdown, the final flush of the log included. Whatever the moment, the process exits 0 (the
// first signal won) or 1 (the second one did), and writes nothing but JSON log lines.
const RUNS = 50;
const AT_ONCE = 10;
const SECOND_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

interface Run {
  spacingMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

async function twoSignals(index: number): Promise<Run> {
  const server = await startServer();
  // 0 to 24 ms apart, twice each: shutdown of an idle server, flush included, takes a few milliseconds.
  const spacingMs = index % 25;
  server.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, spacingMs));
  server.child.kill(SECOND_SIGNALS[index % 2]);
  const { code, signal } = await server.exited;
  return { spacingMs, code, signal, stdout: server.stdout(), stderr: server.stderr() };
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('two signals', () => {
  it(`exit 0 or 1, with nothing but log lines, at any spacing (${RUNS} runs)`, async () => {
    const runs: Run[] = [];
    for (let start = 0; start < RUNS; start += AT_ONCE) {
      const batch = Array.from({ length: Math.min(AT_ONCE, RUNS - start) }, (_, offset) => twoSignals(start + offset));
      runs.push(...(await Promise.all(batch)));
    }
    for (const run of runs) {
      const where = `at ${run.spacingMs} ms: ${run.stderr}`;
      expect([0, 1], where).toContain(run.code);
      expect(run.signal, where).toBeNull();
      for (const line of [...lines(run.stdout), ...lines(run.stderr)]) {
        expect(() => JSON.parse(line) as unknown, `${where}\n${line}`).not.toThrow();
      }
      // An exit by the second signal says so, in one line of its own.
      const second = lines(run.stderr).filter((line) => line.includes('second signal during shutdown'));
      expect(second, where).toHaveLength(run.code === 1 ? 1 : 0);
    }
  }, 120_000);
});
