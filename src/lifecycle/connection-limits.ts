import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

// How many connections the memory the process really has can hold, at the worst moment: V8 has let garbage
// fill the heap to its limit (it collects the old generation only near it), every connection holds a request
// in flight, and Docker's HEALTHCHECK is running its probe, a Node process of its own, in the same container.
// Each figure below is measured by `npm run bench` ("connection cost" in docs/performance.md) and budgeted
// with a margin; lab/bench/budgets.test.ts fails when a measurement outgrows its budget.

const MiB = 2 ** 20;
const KiB = 2 ** 10;

/** Memory per connection outside the JavaScript heap: its socket, buffers, and the kernel's part. */
export const CONNECTION_BYTES = 16 * KiB;
/**
 * The JavaScript heap per connection at its ceiling, which no client can push it past (MAX_PIPELINED and the
 * byte bounds below): a request with the largest headers being answered, and the most requests that may
 * wait behind it. A polite connection holds a quarter of this (a request in flight: 13 KiB).
 */
export const CONNECTION_HEAP_BYTES = 56 * KiB;
/** Outside the heap before the first connection: the process's own, the health probe's, the log buffer. */
export const RESERVED_BYTES = 27 * MiB;
/** The heap before the first connection: what is in use, and the young generation (3 × the semi-space). */
export const RESERVED_HEAP_BYTES = 18 * MiB;
/**
 * Requests one connection may have unanswered: the one being answered and those waiting behind it
 * (pipelining.ts). Node hands the server every request in the chunk it has read, up to 64 KiB, before it
 * stops reading a client that does not read its answers: thousands of small requests, each holding its
 * objects and, answered at once as Node does, its answer. Past this many the connection is closed, so what
 * one connection can hold has a ceiling whatever its client does. The 10 that HTTP benchmarks pipeline;
 * browsers do not pipeline at all.
 */
export const MAX_PIPELINED = 10;
/**
 * The request line and headers of one request, at most: Node's default (larger gets a 431), kept because a
 * browser on localhost sends every cookie the machine's other local apps have set.
 */
export const MAX_HEADER_BYTES = 16 * KiB;
/** ... and of the requests waiting on one connection, together: nine of 16 KiB each would be 144 KiB. */
export const MAX_PIPELINED_BYTES = 8 * KiB;
/** The limit where the process has no memory limit: nothing but the machine would stop a flood. */
const DEFAULT_MAX_CONNECTIONS = 4096;
/** Probes and a 503 for the rest: the overflow lane between `served` and `max`, a tenth of `max`. */
const OVERFLOW_SHARE = 0.1;
const MIN_CONNECTIONS = 64;

export interface ConnectionLimits {
  /** Beyond this many open connections, a new one is closed at accept. */
  max: number;
  /** Beyond this many, a new one only has its probes answered (admission.ts). */
  served: number;
  /** A connection with more requests than this unanswered is closed (pipelining.ts). */
  pipelined: number;
  /** ... or whose requests waiting behind the one being answered hold more bytes than this. */
  pipelinedBytes: number;
}

/** The cgroup's memory limit (a container's); unconstrained, Node reports an impossible figure, so none. */
export function memoryLimit(): number | undefined {
  const limit = process.constrainedMemory();
  return limit > 0 && limit < totalmem() ? limit : undefined;
}

export interface MemoryFacts {
  /** The memory limit, or undefined for none. */
  limitBytes: number | undefined;
  /** V8's heap limit, which the images' flags derive from the memory limit (--max-old-space-size-percentage). */
  heapLimitBytes: number;
}

/**
 * The tighter of what the memory and the heap hold, or `max` as given (MAX_CONNECTIONS). Without a memory
 * limit, DEFAULT_MAX_CONNECTIONS stands in for the memory's bound.
 */
export function connectionLimits(
  { limitBytes, heapLimitBytes }: MemoryFacts = { limitBytes: memoryLimit(), heapLimitBytes: heapLimit() },
  max?: number,
): ConnectionLimits {
  const byMemory =
    limitBytes === undefined
      ? DEFAULT_MAX_CONNECTIONS
      : (limitBytes - RESERVED_BYTES - heapLimitBytes) / CONNECTION_BYTES;
  const byHeap = (heapLimitBytes - RESERVED_HEAP_BYTES) / CONNECTION_HEAP_BYTES;
  const limit = max ?? Math.max(MIN_CONNECTIONS, Math.floor(Math.min(byMemory, byHeap)));
  return {
    max: limit,
    served: limit - Math.ceil(limit * OVERFLOW_SHARE),
    pipelined: MAX_PIPELINED,
    pipelinedBytes: MAX_PIPELINED_BYTES,
  };
}

function heapLimit(): number {
  return getHeapStatistics().heap_size_limit;
}

/**
 * The smallest container memory limit under which both images answer the overload matrix's heaviest
 * pipelined load in full (`npm run bench -- --images` measures it). compose.yaml and the Kubernetes
 * manifests size their limits from it; the lab checks it against the committed measurement.
 */
export const MEMORY_FLOOR_MIB = 64;
