import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { SERVER_BUNDLE } from '../../scripts/build.ts';
import { freePort } from '../../scripts/lib/free-port.ts';

export { freePort, SERVER_BUNDLE };
export const HEALTHCHECK_BUNDLE = 'dist/healthcheck.js';

export interface RunningServer {
  port: number;
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the built server as its own process and resolves once it logs that it listens. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_BUNDLE], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (stdout.includes('"msg":"listening')) resolve();
      else setTimeout(check, 10);
    };
    check();
    void exited.then(({ code }) => {
      reject(new Error(`server exited with ${code} before listening`));
    });
  });
  return { port, child, stdout: () => stdout, exited };
}

export async function run(file: string, env: Record<string, string>, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
