import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { nodeOptionsOf } from '../images/pins.ts';
import { freePort } from '../lib/free-port.ts';
import { firstHealthy } from '../lib/healthz.ts';
import { pinnedCommand } from './machine.ts';

export { SERVER_BUNDLE as APP_BUNDLE } from '../build.ts';

/** The Node options the images run with (Dockerfile's ENV NODE_OPTIONS): every contender gets them. */
export const PRODUCTION_NODE_OPTIONS = nodeOptionsOf(readFileSync('Dockerfile', 'utf8')) ?? '';

/** 'drain': stdout read as fast as it comes; a number: stdout is that file descriptor (a slow pipe). */
export type Stdout = 'drain' | number;

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export interface ServerOptions {
  file: string;
  port?: number;
  env?: Record<string, string>;
  stdout?: Stdout;
}

export async function spawnServer({ file, port, env = {}, stdout = 'drain' }: ServerOptions): Promise<ServerProcess> {
  const listenPort = port ?? (await freePort());
  const [command, ...args] = pinnedCommand([process.execPath, file]);
  const child = spawn(command, args, {
    // The production environment: default LOG_LEVEL, nothing inherited that could change behaviour.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(listenPort),
      HOST: '127.0.0.1',
      NODE_OPTIONS: PRODUCTION_NODE_OPTIONS,
      ...env,
    },
    stdio: ['ignore', stdout === 'drain' ? 'pipe' : stdout, 'inherit'],
  });
  child.stdout?.resume();
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    port: listenPort,
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function startHealthy(options: ServerOptions): Promise<ServerProcess> {
  const server = await spawnServer(options);
  await Promise.race([
    firstHealthy(server.port),
    server.exited.then((code) => {
      throw new Error(`${options.file} exited with ${code} before it answered`);
    }),
  ]);
  return server;
}
