import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openFifo } from '../support/fifo.ts';
import { SERVER_BUNDLE } from '../support/server-process.ts';

// As with `node dist/server.js | head -c 200`: the reader of stdout goes away while the server runs.
describe('a server whose stdout is closed', () => {
  it('keeps serving, and its exit report on stderr counts every log line it could not write', async () => {
    const pipe = openFifo();
    const child = spawn(process.execPath, [SERVER_BUNDLE], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', pipe.writer, 'pipe'],
    });
    closeSync(pipe.writer);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'close');

    // Read the listening line, then close the only reader: from now on every write fails with EPIPE.
    let listening: { port: number } | undefined;
    while (listening === undefined) {
      pipe.read();
      const line = pipe.text().split('\n')[0] ?? '';
      if (line.endsWith('}')) listening = JSON.parse(line) as { port: number };
      else await sleep(10);
    }
    pipe.close();

    const requests = 1000;
    const statuses: number[] = [];
    for (let batch = 0; batch < requests / 50; batch += 1) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`http://127.0.0.1:${listening.port}/api/time`)),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }
    expect(statuses).toEqual(Array.from({ length: requests }, () => 200));

    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    // One line per request, then "shutting down" and "stopped": none of them written, all of them counted.
    expect(JSON.parse(stderr) as object).toMatchObject({
      level: 40,
      droppedLines: requests + 2,
      error: 'EPIPE',
      msg: 'log lines lost: stdout failed (EPIPE)',
    });
  }, 60_000);
});
