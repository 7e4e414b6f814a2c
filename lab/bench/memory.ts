import { closeSync, readFileSync } from 'node:fs';
import { shoot } from './load.ts';
import { firstHealthy } from '../../test/support/healthz.ts';
import { spawnServer, type CgroupMemory, type NodeSettings } from './server-process.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { openFifo } from '../../test/support/fifo.ts';

export interface MemorySettings {
  seconds: number;
  connections: number;
  /** Requests each connection sends without waiting for the answers. */
  pipelining: number;
  readBytes: number;
  everyMs: number;
}

export interface MemoryResult {
  peakRssMB: number;
  /** The kernel's own high-water mark (VmHWM), which catches a peak between two samples. */
  kernelPeakMB: number;
  /** Run under a memory limit: the limit, its cgroup's peak (what the limit is held against) and OOM kills. */
  cgroup?: CgroupMemory;
  /** Requests neither answered 2xx nor shed. */
  failures: number;
  /** Requests answered 503 (with Retry-After): the server shedding load, not failing it. */
  shed?: number;
  rps: number;
  /** Whether the server had exited (aborted, or killed) by the end of the load. */
  died?: boolean;
  logLines: number;
  droppedLines: number;
}

const SAMPLE_MS = 100;

/** From /proc/<pid>/status; NaN once the process is gone (killed for want of memory, say). */
function statusMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const line = status.split('\n').find((entry) => entry.startsWith(`${field}:`));
  return Number(line?.match(/\d+/)?.[0] ?? Number.NaN) / 1024;
}

/**
 * Overloads `file` while its stdout goes to a pipe read slowly, sampling its resident memory; under its
 * memory limit when given one, as in its container.
 */
export async function measureMemory(
  { file, node, memoryLimitMiB }: { file: string; node: NodeSettings; memoryLimitMiB?: number },
  settings: MemorySettings,
): Promise<MemoryResult> {
  const pipe = openFifo();
  const server = await spawnServer({
    file,
    node,
    stdout: pipe.writer,
    ...(memoryLimitMiB === undefined ? {} : { memoryLimitMiB }),
  });
  closeSync(pipe.writer);
  const reading = setInterval(() => {
    if (settings.readBytes > 0) pipe.read(settings.readBytes);
  }, settings.everyMs);
  try {
    await firstHealthy(server.port);
    const pid = server.child.pid ?? 0;
    let peak = 0;
    const sampling = setInterval(() => {
      const rss = statusMB(pid, 'VmRSS');
      if (!Number.isNaN(rss)) peak = Math.max(peak, rss);
    }, SAMPLE_MS);
    const shot = await shoot(
      `http://127.0.0.1:${server.port}/api/time`,
      settings.seconds,
      settings.connections,
      settings.pipelining,
    );
    clearInterval(sampling);
    const died = server.child.exitCode !== null || server.child.signalCode !== null;
    const kernelPeakMB = statusMB(pid, 'VmHWM');
    clearInterval(reading);
    // Drained fast from here on, so the server can write out what it kept and its drop report, then exit.
    const stopping = server.stop();
    while (pipe.read()) await sleep(5);
    await stopping;
    const cgroup = server.cgroupMemory();
    const records = pipe
      .text()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; droppedLines?: number });
    return {
      peakRssMB: Math.round(peak),
      kernelPeakMB: Math.round(kernelPeakMB),
      ...(cgroup === undefined ? {} : { cgroup }),
      failures: shot.non2xx - shot.unavailable + shot.errors,
      shed: shot.unavailable,
      rps: Math.round(shot.rps),
      died,
      logLines: records.filter((record) => record.msg === 'request').length,
      droppedLines: records.reduce((sum, record) => sum + (record.droppedLines ?? 0), 0),
    };
  } finally {
    clearInterval(reading);
    await server.stop();
    pipe.close();
  }
}
