import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

// Debian's CLI builds with BuildKit on its own; a newer CLI elsewhere on PATH may insist on the buildx plugin.
const CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

interface Engine {
  /** The DOCKER_HOST every command is sent to. */
  host: string;
  serverVersion: string;
}

export type EngineLookup = { engine: Engine; reason?: never } | { engine?: never; reason: string };

export interface DockerResult {
  stdout: string;
  stderr: string;
  /** The exit code; -1 when the command could not be started or was killed. */
  code: number;
}

export interface DockerOptions {
  /** Extra environment on top of this process's. */
  env?: NodeJS.ProcessEnv;
  /** Data written to the command's stdin. */
  input?: string | Readable;
  /** Called with each line the command prints, on stdout or stderr, as it prints it. */
  onLine?: (line: string) => void;
  timeoutMs?: number;
  /** Throw unless the exit code is 0. */
  check?: boolean;
}

export async function run(file: string, args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  const result = await new Promise<DockerResult>((resolve) => {
    const child = execFile(
      file,
      args,
      {
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 0,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ stdout, stderr: error !== null && stderr === '' ? error.message : stderr, code });
      },
    );
    if (typeof opts.input === 'string') child.stdin?.end(opts.input);
    else if (opts.input !== undefined && child.stdin !== null) opts.input.pipe(child.stdin);
    const { onLine } = opts;
    if (onLine !== undefined) {
      for (const output of [child.stdout, child.stderr]) {
        if (output !== null) createInterface({ input: output }).on('line', onLine);
      }
    }
  });
  if (opts.check === true && result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim()}`);
  }
  return result;
}

export function docker(args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  return run(CLI, args, { ...opts, env: { ...opts.env, DOCKER_BUILDKIT: '1' } });
}

/** Runs a docker command that must succeed and returns what it printed, trimmed (an ID, a field). */
export async function dockerOutput(...args: string[]): Promise<string> {
  return (await docker(args, { check: true, timeoutMs: 120_000 })).stdout.trim();
}

/** An image's own NODE_OPTIONS, which a run must extend rather than replace. */
export async function imageNodeOptions(image: string): Promise<string> {
  const env = JSON.parse(await dockerOutput('image', 'inspect', '--format', '{{json .Config.Env}}', image)) as string[];
  return env.find((entry) => entry.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length) ?? '';
}

export async function findEngine(): Promise<EngineLookup> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const socket = host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
  if (socket !== undefined && !existsSync(socket)) {
    return { reason: `no Docker engine: ${socket} does not exist (start one with: source .ci/start-docker)` };
  }
  const version = await docker(['version', '--format', '{{.Server.Version}}'], {
    env: { DOCKER_HOST: host },
    timeoutMs: 15_000,
  });
  if (version.code !== 0) {
    const why = version.stderr.trim().split('\n').at(-1) ?? 'no answer';
    return { reason: `no Docker engine answers at ${host}: ${why}` };
  }
  return { engine: { host, serverVersion: version.stdout.trim() } };
}
