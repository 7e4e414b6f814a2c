import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, getPriority, setPriority, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** The cores the servers and the load generator run on, or why they share. */
  pinning: string;
}

const TASKSET = '/usr/bin/taskset';
export const SERVER_CPU = '0';
const LOAD_CPU = '1';

// Tried rather than inferred: the affinity this process inherited (availableParallelism()) may already be
// one CPU when whatever started it was pinned, although taskset may still move processes to either; a
// cpuset cgroup, on the other hand, can forbid a CPU that the machine has.
const canRunOn = (cpu: string) => spawnSync(TASKSET, ['-c', cpu, 'true'], { stdio: 'ignore' }).status === 0;

/** Server and load generator on different cores, when there are two they may use and taskset exists. */
export const canPin = existsSync(TASKSET) && cpus().length >= 2 && canRunOn(SERVER_CPU) && canRunOn(LOAD_CPU);

/** The command that starts `args` pinned to the server's core (unchanged when pinning is impossible). */
export function pinnedCommand(args: readonly string[]): [string, ...string[]] {
  const [command = process.execPath, ...rest] = args;
  return canPin ? [TASKSET, '-c', SERVER_CPU, command, ...rest] : [command, ...rest];
}

/**
 * Moves this process (the load generator and the log readers) onto its own core, ahead of other work there:
 * on a shared machine, a load generator that waits for the CPU leaves the server idle, and the round then
 * measures the machine's other work. The servers' cgroups get the same precedence (cgroup.ts's `first`).
 */
export function pinSelf(): void {
  if (canPin) execFileSync(TASKSET, ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  try {
    // Inherited by wrk and the log readers this process starts.
    setPriority(-20);
  } catch {
    // not root: the rounds still alternate, only with more noise (describeMachine says so)
  }
}

function cpuModel(): string {
  const model = cpus()[0]?.model.trim();
  if (model !== undefined && model !== '') return model;
  // Some virtual machines leave the model out of /proc/cpuinfo's "model name" but not lscpu's view of it.
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? 'unknown';
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    pinning: `${
      canPin
        ? `servers on CPU ${SERVER_CPU}, load generator on CPU ${LOAD_CPU} (taskset)`
        : 'not pinned (needs taskset and CPUs 0 and 1)'
    }; ${getPriority() === -20 ? 'both ahead of other work (nice −20, the highest cgroup CPU weight)' : 'at the same priority as other work'}`,
  };
}
