import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { cmdNodeFlagsOf, nodeOptionsOf } from '../../test/images/support/pins.ts';
import { freePort } from '../../test/support/free-port.ts';
import { openFifo } from '../../test/support/fifo.ts';
import { firstHealthy } from '../../test/support/healthz.ts';
import { HOLDING_MARKER, responseDelayLaunch } from '../../test/support/response-delay.ts';
import { pinnedCommand } from './machine.ts';
import { cgroup as makeCgroup, type Cgroup } from './cgroup.ts';

export { SERVER_BUNDLE as APP_BUNDLE } from '../../scripts/build.ts';

const DOCKERFILE = readFileSync('Dockerfile', 'utf8');
/** The Node options the images run with (Dockerfile's ENV NODE_OPTIONS): every contender gets them. */
export const PRODUCTION_NODE_OPTIONS = nodeOptionsOf(DOCKERFILE) ?? '';
/** The flags the images' CMD gives node (V8 flags NODE_OPTIONS refuses): every contender gets them too. */
export const PRODUCTION_NODE_FLAGS = cmdNodeFlagsOf(DOCKERFILE);

/**
 * 'discard': stdout is /dev/null, the reader that costs nothing; 'reader': a pipe that another process (cat)
 * reads as fast as it can, as Docker's log driver does; 'pipe': left for the caller to read; a number: stdout
 * is that file descriptor (a slow pipe).
 *
 * The load generator never reads a server's log itself: reading the app's log lines on its event loop (one
 * per request) slowed the load it sent to the app alone, by a fifth under overload, and still fell behind so
 * that the app dropped lines.
 */
export type Stdout = 'discard' | 'reader' | 'pipe' | number;

/** Flags for node and its NODE_OPTIONS: one of the variants the flags table weighs. */
export interface NodeFlags {
  flags: readonly string[];
  nodeOptions: string;
}

/**
 * 'images': the Node flags and NODE_OPTIONS the images run the app with; 'defaults': none, as a user runs
 * `node server.js`; or any other flags. The baselines run with Node's defaults: given the images' flags,
 * their cost would be in the yardstick too, and a ratio against it would hide it.
 */
export type NodeSettings = 'images' | 'defaults' | NodeFlags;

export const IMAGES_FLAGS: NodeFlags = { flags: PRODUCTION_NODE_FLAGS, nodeOptions: PRODUCTION_NODE_OPTIONS };
export const DEFAULT_FLAGS: NodeFlags = { flags: [], nodeOptions: '' };

function flagsOf(node: NodeSettings): NodeFlags {
  return node === 'images' ? IMAGES_FLAGS : node === 'defaults' ? DEFAULT_FLAGS : node;
}

/**
 * Whether a line of a server's stderr reaches the bench's own, in the middle of its report: not the
 * hook's (one per held request), and not the app's log lines (a request still in flight when a server is
 * stopped is logged late, on stderr), which the measurements read from the kept stderr instead. What is
 * left says something went wrong: a crash, a refusal to listen.
 */
export function passedOn(line: string): boolean {
  return line.trim() !== '' && !line.startsWith(HOLDING_MARKER) && !line.startsWith('{"level":');
}

/** A process that reads a named pipe to the end as fast as it can; the server writes to `fd`. */
function logReader(): { fd: number; close: () => void } {
  const fifo = openFifo();
  const reader = spawn('cat', [fifo.path], { stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    fd: fifo.writer,
    close: () => {
      reader.kill();
      fifo.close();
    },
  };
}

export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
  /** Everything the server wrote to stderr so far (what says something went wrong is passed on to ours). */
  stderr(): string;
  /** Its memory cgroup's peak and OOM kills, when it was given a limit; after the exit, as they ended. */
  cgroupMemory(): CgroupMemory | undefined;
  /** CPU seconds it used so far, when it runs in a cgroup (every thread, user and system). */
  cpuSeconds(): number | undefined;
}

export interface CgroupMemory {
  limitMiB: number;
  peakMiB: number;
  usageMiB: number;
  oomKills: number;
}

export interface ServerOptions {
  file: string;
  port?: number;
  node: NodeSettings;
  /** Run inside a cgroup with this memory limit, as in a container (cgroup.ts). */
  memoryLimitMiB?: number;
  /** And this CPU quota, in CPUs (with a memory limit only). */
  cpus?: number;
  /** Ahead of other work on the machine (cgroup.ts's `first`; with a memory limit only). */
  first?: boolean;
  env?: Record<string, string>;
  stdout?: Stdout;
  /** Holds each /api/time request this long before the app sees it (the response-delay test hook). */
  responseDelayMs?: number;
}

function readCgroup(cgroup: Cgroup): CgroupMemory {
  return {
    limitMiB: cgroup.limits.memoryMiB,
    peakMiB: cgroup.peakMiB(),
    usageMiB: cgroup.usageMiB(),
    oomKills: cgroup.oomKills(),
  };
}

export async function spawnServer({
  file,
  node,
  memoryLimitMiB,
  cpus,
  first,
  port,
  env = {},
  stdout = 'discard',
  responseDelayMs,
}: ServerOptions): Promise<ServerProcess> {
  const listenPort = port ?? (await freePort());
  const hook = responseDelayLaunch(responseDelayMs);
  const { flags, nodeOptions } = flagsOf(node);
  const cgroup = memoryLimitMiB === undefined ? undefined : makeCgroup({ memoryMiB: memoryLimitMiB, cpus, first });
  const start = [process.execPath, ...flags, ...hook.nodeArgs, file];
  const [command, ...args] = pinnedCommand(cgroup?.wrap(start) ?? start);
  const reader = stdout === 'reader' ? logReader() : undefined;
  const child = spawn(command, args, {
    // The production environment: default LOG_LEVEL, nothing inherited that could change behaviour.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(listenPort),
      HOST: '127.0.0.1',
      NODE_OPTIONS: nodeOptions,
      ...hook.env,
      ...env,
    },
    stdio: [
      'ignore',
      reader?.fd ?? (typeof stdout === 'number' ? stdout : stdout === 'discard' ? 'ignore' : 'pipe'),
      'pipe',
    ],
  });
  if (reader !== undefined) {
    // The reader now holds the pipe's only other end: closing ours lets it see end of file at the exit.
    closeSync(reader.fd);
  }
  let stderr = '';
  if (child.stderr !== null) {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // Whole lines: a chunk may end inside one.
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (passedOn(line)) process.stderr.write(`${line}\n`);
    });
  }
  let final: CgroupMemory | undefined;
  let finalCpuSeconds: number | undefined;
  const exited = once(child, 'exit').then(([code]) => {
    reader?.close();
    if (cgroup !== undefined) {
      final = readCgroup(cgroup);
      finalCpuSeconds = cgroup.cpuSeconds();
      cgroup.remove();
    }
    return code as number | null;
  });
  return {
    port: listenPort,
    child,
    exited,
    stderr: () => stderr,
    cgroupMemory: () => final ?? (cgroup === undefined ? undefined : readCgroup(cgroup)),
    cpuSeconds: () => finalCpuSeconds ?? cgroup?.cpuSeconds(),
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
