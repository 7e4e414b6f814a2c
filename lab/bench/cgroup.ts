import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Limits for a server the benchmark starts as a plain process, as a container's: a cgroup of its own with a
// memory limit (memory.max on cgroup v2, memory.limit_in_bytes on v1) and a CPU quota (cpu.max;
// cpu.cfs_quota_us), whose CPU use is read back (cpu.stat; cpuacct.usage). The app sizes its heap and its
// connection limit from the memory limit it finds (process.constrainedMemory()), so measured without one it
// would run with settings no container gives it.

export interface CgroupLimits {
  memoryMiB: number;
  /** CPUs' worth of time per period, as compose's `cpus`; none when undefined. */
  cpus?: number | undefined;
  /**
   * The largest CPU weight there is, so that other work on a shared machine yields to this cgroup's
   * processes while they run (their quota still bounds them). A cgroup competes with other work as one
   * task of its own weight: a nice value inside it would change nothing against the rest of the machine.
   */
  first?: boolean | undefined;
}

export interface Cgroup {
  limits: CgroupLimits;
  /** The command that starts `args` inside the cgroup. */
  wrap(args: readonly string[]): string[];
  /** The cgroup's own high-water mark of memory use, MiB. */
  peakMiB(): number;
  /** What the cgroup uses now, MiB: its processes' memory and the kernel's on their behalf. */
  usageMiB(): number;
  /** Processes the kernel killed for want of memory in it. */
  oomKills(): number;
  /** CPU time its processes used so far, in seconds (user and system, every thread). */
  cpuSeconds(): number;
  remove(): void;
}

const ROOT = '/sys/fs/cgroup';
const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct'] as const;
const PERIOD_US = 100_000;

const isV2 = () => existsSync(join(ROOT, 'cgroup.controllers'));

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

/** Why no such cgroup can be made here, or undefined when one can. */
export function cgroupUnavailable(): string | undefined {
  if (isV2()) {
    const delegated = readFileSync(join(ROOT, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
    const missing = ['memory', 'cpu'].filter((controller) => !delegated.includes(controller));
    if (missing.length > 0) return `cgroup v2 without the ${missing.join(' and ')} controller delegated`;
    return writable(ROOT) ? undefined : `${ROOT} is not writable (needs root)`;
  }
  for (const controller of V1_CONTROLLERS) {
    const folder = join(ROOT, controller);
    if (!existsSync(folder)) return `no ${controller} cgroup hierarchy`;
    if (!writable(folder)) return `${folder} is not writable (needs root)`;
  }
  return undefined;
}

let made = 0;

const mib = (bytes: string) => Math.round((Number(bytes.trim()) / 2 ** 20) * 10) / 10;

export function cgroup(limits: CgroupLimits): Cgroup {
  const v2 = isV2();
  made += 1;
  const name = `moscow-time-bench-${process.pid}-${made}`;
  const folders = v2 ? [join(ROOT, name)] : V1_CONTROLLERS.map((controller) => join(ROOT, controller, name));
  for (const folder of folders) mkdirSync(folder);
  const file = (controller: (typeof V1_CONTROLLERS)[number], leaf: string) =>
    v2 ? join(ROOT, name, leaf) : join(ROOT, controller, name, leaf);
  const bytes = String(limits.memoryMiB * 2 ** 20);
  const quota = limits.cpus === undefined ? undefined : String(Math.round(limits.cpus * PERIOD_US));
  if (v2) {
    writeFileSync(file('memory', 'memory.max'), bytes);
    writeFileSync(file('memory', 'memory.swap.max'), '0');
    if (quota !== undefined) writeFileSync(file('cpu', 'cpu.max'), `${quota} ${PERIOD_US}`);
    if (limits.first === true) writeFileSync(file('cpu', 'cpu.weight'), '10000');
  } else {
    writeFileSync(file('memory', 'memory.limit_in_bytes'), bytes);
    if (quota !== undefined) {
      writeFileSync(file('cpu', 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(file('cpu', 'cpu.cfs_quota_us'), quota);
    }
    if (limits.first === true) writeFileSync(file('cpu', 'cpu.shares'), '262144');
  }
  const read = (controller: (typeof V1_CONTROLLERS)[number], leaf: string) =>
    readFileSync(file(controller, leaf), 'utf8');
  const procs = folders.map((folder) => join(folder, 'cgroup.procs'));
  return {
    limits,
    peakMiB: () => mib(read('memory', v2 ? 'memory.peak' : 'memory.max_usage_in_bytes')),
    usageMiB: () => mib(read('memory', v2 ? 'memory.current' : 'memory.usage_in_bytes')),
    // memory.events (v2) and memory.oom_control (v1) both keep an "oom_kill N" line.
    oomKills: () =>
      Number(/^oom_kill (\d+)$/m.exec(read('memory', v2 ? 'memory.events' : 'memory.oom_control'))?.[1] ?? 0),
    cpuSeconds: () =>
      v2
        ? Number(/^usage_usec (\d+)$/m.exec(read('cpu', 'cpu.stat'))?.[1] ?? Number.NaN) / 1e6
        : Number(read('cpuacct', 'cpuacct.usage')) / 1e9,
    // The shell moves itself into the cgroup (each hierarchy, on v1), then becomes the command: the command
    // starts inside it.
    wrap: (args) => ['sh', '-c', 'for procs in $0; do echo $$ > "$procs"; done && exec "$@"', procs.join(' '), ...args],
    remove() {
      for (const folder of folders) {
        try {
          rmdirSync(folder);
        } catch {
          // still has a process in it: the kernel frees it when that exits
        }
      }
    },
  };
}
