import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { removeScratchCopies, scratchCopy } from '../support/scratch-copy.ts';
import { startProcess, type RunningProcess } from '../support/server-process.ts';

// npm does not pass a SIGTERM on to the server `npm start` runs (Ctrl-C reaches both: the terminal signals
// the whole process group). So the README stops a backgrounded `npm start` by the node process, whose pid
// every log line carries, and so does every script here that starts the app.

const servers: number[] = [];

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  for (const pid of servers.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGTERM');
  await removeScratchCopies();
});

/** `npm start` in a scratch copy, once the server it runs listens: its base URL and its pid. */
async function npmStart(): Promise<{ npm: RunningProcess; base: string; pid: number }> {
  const npm = startProcess('npm', ['start'], {
    cwd: await scratchCopy(),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  });
  const line = await npm.stdoutShows('listening on http://', 60_000);
  const { pid, msg } = JSON.parse(line) as { pid: number; msg: string };
  servers.push(pid);
  return { npm, base: msg.replace('listening on ', ''), pid };
}

async function answers(base: string): Promise<boolean> {
  return fetch(`${base}/healthz`).then(
    (response) => response.ok,
    () => false,
  );
}

describe('stopping npm start', () => {
  it('a SIGTERM to the node process stops the server, and npm exits 0 with it', { timeout: 120_000 }, async () => {
    const { npm, base, pid } = await npmStart();
    expect(pid).not.toBe(npm.child.pid);
    process.kill(pid, 'SIGTERM');
    expect((await npm.exited).code).toBe(0);
    expect(npm.stdout()).toContain('"msg":"stopped"');
    expect(await answers(base)).toBe(false);
  });

  it('a SIGTERM to npm leaves the server running, as the README warns', { timeout: 120_000 }, async () => {
    const { npm, base, pid } = await npmStart();
    const npmExit = once(npm.child, 'exit');
    npm.child.kill('SIGTERM');
    // 'exit', not the pipes' close: the server still holds the stdout it inherited.
    await npmExit;
    expect(isRunning(pid)).toBe(true);
    expect(await answers(base)).toBe(true);
  });
});
