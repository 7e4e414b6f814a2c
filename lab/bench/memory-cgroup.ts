import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A memory limit for a server the benchmark starts as a plain process, as a container's: a cgroup of its own
// with memory.max (cgroup v2) or memory.limit_in_bytes (v1). The app sizes its heap and its connection limit
// from the limit it finds (process.constrainedMemory()), so measured without one it would run with settings
// no container gives it.

export interface MemoryCgroup {
  limitMiB: number;
  /** The command that starts `args` inside the cgroup. */
  wrap(args: readonly string[]): string[];
  /** The cgroup's own high-water mark of memory use, MiB. */
  peakMiB(): number;
  /** What the cgroup uses now, MiB: its processes' memory and the kernel's on their behalf. */
  usageMiB(): number;
  /** Processes the kernel killed for want of memory in it. */
  oomKills(): number;
  remove(): void;
}

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/memory';

function writable(folder: string): boolean {
  try {
    const probe = join(folder, `moscow-time-probe-${process.pid}`);
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Why no memory cgroup can be made here, or undefined when one can. */
export function memoryCgroupUnavailable(): string | undefined {
  const v2 = existsSync(join(V2_ROOT, 'cgroup.controllers'));
  if (v2) {
    const controllers = readFileSync(join(V2_ROOT, 'cgroup.subtree_control'), 'utf8');
    if (!controllers.split(/\s+/).includes('memory')) return 'cgroup v2 without the memory controller delegated';
    return writable(V2_ROOT) ? undefined : `${V2_ROOT} is not writable (needs root)`;
  }
  if (!existsSync(V1_ROOT)) return 'no memory cgroup hierarchy';
  return writable(V1_ROOT) ? undefined : `${V1_ROOT} is not writable (needs root)`;
}

let made = 0;

const mib = (bytes: string) => Math.round((Number(bytes.trim()) / 2 ** 20) * 10) / 10;

export function memoryCgroup(limitMiB: number): MemoryCgroup {
  const v2 = existsSync(join(V2_ROOT, 'cgroup.controllers'));
  made += 1;
  const folder = join(v2 ? V2_ROOT : V1_ROOT, `moscow-time-bench-${process.pid}-${made}`);
  mkdirSync(folder);
  const bytes = String(limitMiB * 2 ** 20);
  if (v2) {
    writeFileSync(join(folder, 'memory.max'), bytes);
    writeFileSync(join(folder, 'memory.swap.max'), '0');
  } else {
    writeFileSync(join(folder, 'memory.limit_in_bytes'), bytes);
  }
  const read = (file: string) => readFileSync(join(folder, file), 'utf8');
  return {
    limitMiB,
    peakMiB: () => mib(read(v2 ? 'memory.peak' : 'memory.max_usage_in_bytes')),
    usageMiB: () => mib(read(v2 ? 'memory.current' : 'memory.usage_in_bytes')),
    // memory.events (v2) and memory.oom_control (v1) both keep an "oom_kill N" line.
    oomKills: () => Number(/^oom_kill (\d+)$/m.exec(read(v2 ? 'memory.events' : 'memory.oom_control'))?.[1] ?? 0),
    // The shell moves itself into the cgroup, then becomes the command: the command starts inside it.
    wrap: (args) => ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', folder, ...args],
    remove() {
      try {
        rmdirSync(folder);
      } catch {
        // still has a process in it: the kernel frees it when that exits
      }
    },
  };
}
