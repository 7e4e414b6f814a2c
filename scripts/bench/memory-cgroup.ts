import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// A memory limit for a server the benchmark starts as a plain process, as a container's: a cgroup of its own
// with memory.max (cgroup v2) or memory.limit_in_bytes (v1). The app sizes its heap and its connection limit
// from the limit it finds (process.constrainedMemory()), so measured without one it would run with settings
// no container gives it.

export interface MemoryCgroup {
  /** The command that starts `args` inside the cgroup. */
  wrap(args: readonly string[]): string[];
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
  return {
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
