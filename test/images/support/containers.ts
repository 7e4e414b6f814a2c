import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker } from '../../../scripts/images/engine.ts';
import { HARDENED } from '../../../scripts/images/specs.ts';
import { firstHealthy } from '../../../scripts/lib/healthz.ts';

export interface Container {
  id: string;
  port: number;
  url: string;
}

async function inspect(id: string, format: string): Promise<string> {
  return (await docker(['inspect', '--format', format, id], { check: true })).stdout.trim();
}

/** Runs an image the hardened way, published on a free loopback port Docker picks. */
export async function runHardened(tag: string, env: Record<string, string> = {}): Promise<Container> {
  const envArgs = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  const { stdout } = await docker(['run', '-d', ...HARDENED, ...envArgs, '-p', '127.0.0.1::5000', tag], {
    check: true,
  });
  const id = stdout.trim();
  const port = Number(
    /:(\d+)$/.exec((await docker(['port', id, '5000/tcp'], { check: true })).stdout.trim().split('\n')[0] ?? '')?.[1],
  );
  return { id, port, url: `http://127.0.0.1:${port}` };
}

export async function healthStatus(id: string): Promise<string> {
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
