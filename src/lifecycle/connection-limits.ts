import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

// How many connections the memory the process really has can hold. Each figure below is measured by
// `npm run bench` ("connection cost", docs/performance.md) and budgeted with a margin over the measurement;
// a policy test fails when the committed measurement outgrows them.

const MiB = 2 ** 20;
const KiB = 2 ** 10;

/** The budget when no memory limit is set (`npm start`, `docker run` without --memory). */
export const DEFAULT_MEMORY_BUDGET_BYTES = 256 * MiB;
/** Memory per connection with a request in flight: its request, response and socket, heap and native. */
export const CONNECTION_BYTES = 24 * KiB;
/** The part of it in the JavaScript heap. */
export const CONNECTION_HEAP_BYTES = 16 * KiB;
/** The process before its first connection: code, heap in use, the young generation, the 1 MiB log buffer. */
export const RESERVED_BYTES = 40 * MiB;
/** The heap in use before the first connection, with room for the garbage between two collections. */
export const RESERVED_HEAP_BYTES = 16 * MiB;
/** Probes and a 503 for the rest: the overflow lane between `served` and `max`, a tenth of `max`. */
const OVERFLOW_SHARE = 0.1;
const MIN_CONNECTIONS = 64;

export interface ConnectionLimits {
  /** Beyond this many open connections, a new one is closed at accept. */
  max: number;
  /** Beyond this many, a new one only has its probes answered (admission.ts). */
  served: number;
}

/** The cgroup's memory limit (a container's); unconstrained, Node reports an impossible figure, so none. */
export function memoryLimit(): number | undefined {
  const limit = process.constrainedMemory();
  return limit > 0 && limit < totalmem() ? limit : undefined;
}

export interface MemoryFacts {
  /** The memory limit, or undefined for none. */
  limitBytes: number | undefined;
  /** V8's heap limit (its flags make it follow the memory limit: --max-old-space-size-percentage). */
  heapLimitBytes: number;
}

/**
 * The tighter of what the memory budget and the heap hold, or `max` as given (MAX_CONNECTIONS). Without a
 * memory limit the budget is DEFAULT_MEMORY_BUDGET_BYTES.
 */
export function connectionLimits(
  { limitBytes, heapLimitBytes }: MemoryFacts = { limitBytes: memoryLimit(), heapLimitBytes: heapLimit() },
  max?: number,
): ConnectionLimits {
  const budget = limitBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const byMemory = (budget - RESERVED_BYTES) / CONNECTION_BYTES;
  const byHeap = (heapLimitBytes - RESERVED_HEAP_BYTES) / CONNECTION_HEAP_BYTES;
  const limit = max ?? Math.max(MIN_CONNECTIONS, Math.floor(Math.min(byMemory, byHeap)));
  return { max: limit, served: limit - Math.ceil(limit * OVERFLOW_SHARE) };
}

function heapLimit(): number {
  return getHeapStatistics().heap_size_limit;
}
