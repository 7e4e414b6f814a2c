import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { removeScratchCopies, scratchCopy } from '../support/scratch-copy.ts';
import { run, startProcess, startServer, type RunningProcess } from '../support/server-process.ts';

// npm run dev is npm, a shell, the watcher, pino-pretty and the server: one process group, stopped as one
// after the test, also after one that timed out.
const groups: RunningProcess[] = [];
function startDev(folder: string): RunningProcess {
  const dev = startProcess('npm', ['run', 'dev'], {
    cwd: folder,
    detached: true,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
  });
  groups.push(dev);
  return dev;
}

afterEach(async () => {
  for (const group of groups.splice(0)) {
    if (group.child.pid !== undefined) process.kill(-group.child.pid, 'SIGTERM');
    await group.exited;
  }
  await removeScratchCopies();
});

/** The address in a "listening on …" line, as pino-pretty prints it. */
function baseOf(line: string): string {
  const base = /listening on (http:\/\/\S+)/.exec(stripVTControlCharacters(line))?.[1];
  if (base === undefined) throw new Error(`no address in: ${line}`);
  return base;
}

/** Replaces a file the way many editors save one: a new file renamed over the old. */
async function editLikeAnEditor(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  expect(text).toContain(from);
  await writeFile(`${file}.new`, text.replace(from, to));
  await rename(`${file}.new`, file);
}

async function titleOf(base: string): Promise<string | undefined> {
  const response = await fetch(`${base}/`);
  expect(response.status).toBe(200);
  return /<title>([^<]*)<\/title>/.exec(await response.text())?.[1];
}

describe('the server while developing', () => {
  it(
    'serves the page and /api/time under npm run dev, and restarts on a change to src/',
    { timeout: 120_000 },
    async () => {
      const folder = await scratchCopy();
      const dev = startDev(folder);
      const base = baseOf(await dev.stdoutShows('listening on http://'));
      expect((await fetch(`${base}/api/time`)).status).toBe(200);
      expect(await titleOf(base)).toBe('Current time in Moscow');

      await editLikeAnEditor(join(folder, 'src/http/views/page.ts'), '`Current time in ', '`Time now in ');
      // A new server, on a port of its own (PORT=0), serves the edited page.
      const restarted = baseOf(await dev.stdoutShows('listening on http://', 60_000, 2));
      expect(await titleOf(restarted)).toBe('Time now in Moscow');
    },
  );

  it('runs as node src/server.ts, without the bundle', async () => {
    const server = await startServer({ entry: 'src/server.ts' });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/`)).status).toBe(200);
      expect((await fetch(`${base}/api/time`)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('says in one line that the assets are missing when nothing was built yet', async () => {
    const folder = await scratchCopy();
    const result = await run('src/server.ts', { PORT: '0', HOST: '127.0.0.1' }, { cwd: folder });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `no static assets in ${folder}/dist/public/: npm run build writes them\n`,
    });
  });
});
