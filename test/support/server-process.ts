import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { HEALTHCHECK_BUNDLE, SERVER_BUNDLE } from '../../scripts/build.ts';
import { HOLDING_MARKER, responseDelayLaunch } from './response-delay.ts';

export { HEALTHCHECK_BUNDLE, HOLDING_MARKER, SERVER_BUNDLE };

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the `occurrence`-th whole stdout line that contains `text`, or rejects after timeoutMs. */
  stdoutShows: (text: string, timeoutMs?: number, occurrence?: number) => Promise<string>;
  /** Resolves when stderr has shown `text`, or rejects after timeoutMs. */
  stderrShows: (text: string, timeoutMs?: number) => Promise<void>;
  exited: Promise<Exit>;
}

export interface RunningServer extends RunningProcess {
  /** The port the server reported in its "listening" line (it is started with PORT=0). */
  port: number;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Loads the response-delay hook, holding each /api/time request this long. */
  responseDelayMs?: number;
  /** What Node runs: the bundle, unless a test starts the server from its sources. */
  entry?: string;
}

// How long a process may take to say something: seconds at most on a busy machine; this bound only ends a
// test whose process never says it.
const SAYS_WITHIN_MS = 30_000;

/** Resolves with the first value `find` returns for the text seen so far, re-checked on every chunk. */
function watch<T>(
  stream: NodeJS.ReadableStream,
  seen: () => string,
  find: () => T | undefined,
  exited: Promise<Exit>,
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new Error(`not seen within ${timeoutMs} ms; output so far:\n${seen()}`));
    }, timeoutMs);
    const check = () => {
      const value = find();
      if (value === undefined) return;
      done();
      resolve(value);
    };
    const done = () => {
      clearTimeout(timer);
      stream.off('data', check);
    };
    stream.on('data', check);
    void exited.then(({ code }) => {
      done();
      reject(new Error(`the process exited with ${String(code)}; output so far:\n${seen()}`));
    });
    check();
  });
}

/** Starts a process with its stdout and stderr piped, kept, and watched for what the test waits on. */
export function startProcess(command: string, args: string[], options: SpawnOptions): RunningProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': by then every byte the process wrote has been read.
  const exited = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  // Whole lines: chunks may end anywhere.
  const lineOf = (text: string, occurrence: number) =>
    stdout
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.includes(text))[occurrence - 1];
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stdoutShows: (text, timeoutMs = SAYS_WITHIN_MS, occurrence = 1) =>
      watch(
        child.stdout,
        () => stdout + stderr,
        () => lineOf(text, occurrence),
        exited,
        timeoutMs,
      ),
    stderrShows: (text, timeoutMs = SAYS_WITHIN_MS) =>
      watch(
        child.stderr,
        () => stderr,
        () => (stderr.includes(text) ? true : undefined),
        exited,
        timeoutMs,
      ).then(() => undefined),
    exited,
  };
}

/**
 * Starts the built server as its own process on a port the system picks (PORT=0) and resolves once it
 * logs that it listens, with the port from that line: no free-port-then-spawn race.
 */
export async function startServer({
  env = {},
  responseDelayMs,
  entry = SERVER_BUNDLE,
}: StartOptions = {}): Promise<RunningServer> {
  const hook = responseDelayLaunch(responseDelayMs);
  const server = startProcess(process.execPath, [...hook.nodeArgs, entry], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      ...hook.env,
      ...env,
    },
  });
  const port = (JSON.parse(await server.stdoutShows('"msg":"listening')) as { port: number }).port;
  return { ...server, port };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  nodeArgs?: string[];
  /** Run as this user and group (the tests run as root; some behaviour differs for other users). */
  uid?: number;
  gid?: number;
  cwd?: string;
  node?: string;
}

/** Runs a script to completion with only PATH and `env` in its environment. */
export async function run(
  file: string,
  env: Record<string, string>,
  { nodeArgs = [], uid, gid, cwd, node = process.execPath }: RunOptions = {},
): Promise<RunResult> {
  const options: SpawnOptions = {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
    ...(cwd === undefined ? {} : { cwd }),
  };
  const child = spawn(node, [...nodeArgs, file], options);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
