import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker, imageNodeOptions } from './engine.ts';
import { HARDENED } from './specs.ts';
import { firstHealthy } from '../../support/healthz.ts';
import { RESPONSE_DELAY_HOOK } from '../../support/response-delay.ts';

export interface Container {
  id: string;
  port: number;
  url: string;
}

async function inspect(id: string, format: string): Promise<string> {
  return (await docker(['inspect', '--format', format, id], { check: true })).stdout.trim();
}

export interface RunOptions {
  env?: Record<string, string>;
  /** The `docker run` hardening options; the default is the README's (read-only, tmpfs, no capabilities). */
  hardening?: string[];
  /** Mounts the response-delay test hook and loads it, holding each /api/time request this long. */
  responseDelayMs?: number;
}

const HOOK_IN_CONTAINER = '/test-hooks/response-delay.ts';

async function hookArgs(tag: string, delayMs: number): Promise<string[]> {
  const nodeOptions = `${await imageNodeOptions(tag)} --import=${HOOK_IN_CONTAINER}`.trim();
  return [
    ...['-v', `${resolve(RESPONSE_DELAY_HOOK)}:${HOOK_IN_CONTAINER}:ro`],
    ...['-e', `NODE_OPTIONS=${nodeOptions}`, '-e', `RESPONSE_DELAY_MS=${delayMs}`],
  ];
}

/** Runs an image the hardened way, published on a free loopback port Docker picks. */
export async function runHardened(
  tag: string,
  { env = {}, responseDelayMs, hardening = HARDENED }: RunOptions = {},
): Promise<Container> {
  const envArgs = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const hook = responseDelayMs === undefined ? [] : await hookArgs(tag, responseDelayMs);
  const { stdout } = await docker(['run', '-d', ...hardening, ...envArgs, ...hook, '-p', '127.0.0.1::5000', tag], {
    check: true,
  });
  const id = stdout.trim();
  const published = (await docker(['port', id, '5000/tcp'], { check: true })).stdout.trim().split('\n')[0] ?? '';
  const port = Number(/:(\d+)$/.exec(published)?.[1]);
  return { id, port, url: `http://127.0.0.1:${port}` };
}

/** Waits (bounded) until the container's stderr shows `text`. */
export async function stderrShows(id: string, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await docker(['logs', id], { check: true })).stderr.includes(text)) {
    if (Date.now() > deadline) throw new Error(`container ${id} did not write "${text}" within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function healthStatus(id: string): Promise<string> {
  return inspect(id, '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}');
}

/** Waits (bounded) for Docker's own HEALTHCHECK verdict; returns the last status seen. */
export async function waitForHealth(id: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let status = await healthStatus(id);
  while (status === 'starting' && Date.now() < deadline) {
    await sleep(250);
    status = await healthStatus(id);
  }
  return status;
}

/** Waits until the app answers on its published port. */
export async function waitUntilServing(container: Container, timeoutMs = 30_000): Promise<void> {
  await firstHealthy(container.port, timeoutMs, 50);
}

/** The UID the container's main process really runs as, read from the host's /proc, not from image metadata. */
export async function processUid(id: string): Promise<number> {
  const pid = await inspect(id, '{{.State.Pid}}');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  if (uid === undefined) throw new Error(`no Uid line in /proc/${pid}/status`);
  return Number(uid);
}

export interface ContainerState {
  Pid: number;
  Running: boolean;
  Restarting: boolean;
  StartedAt: string;
}

export async function containerState(id: string): Promise<ContainerState> {
  return JSON.parse(await inspect(id, '{{json .State}}')) as ContainerState;
}

export async function exitCode(id: string): Promise<number> {
  return Number(await inspect(id, '{{.State.ExitCode}}'));
}

export async function logs(id: string): Promise<string> {
  return (await docker(['logs', id], { check: true })).stdout;
}

export async function remove(id: string): Promise<void> {
  await docker(['rm', '-f', '-v', id]);
}

/** docker stop (SIGTERM, then SIGKILL after Docker's 10 s); returns how long it took, in seconds. */
export async function timedStop(id: string): Promise<number> {
  const started = performance.now();
  await docker(['stop', id], { check: true });
  return (performance.now() - started) / 1000;
}
