import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Histogram } from './stats.ts';

// The throughput rounds' load generator. wrk (C, epoll) spends a small fraction of the CPU per request that
// autocannon (JavaScript) does: with autocannon on the load generator's one core, a shared machine's other
// work starved the generator, the server sat 20 to 80 % idle, and a round measured the generator. wrk keeps
// the server busy, so a round measures the server. Its latency percentiles are not used as it prints them:
// wrk-report.lua says why, and reads the batches' latencies as recorded.

const WRK = 'wrk';
const SCRIPT = 'lab/bench/wrk-report.lua';
/** The latency histogram's buckets grow by 1 %, to 10 s (wrk's --timeout) in 1,621 of them. */
const BUCKET_GROWTH = 1.01;
const BUCKETS = Math.ceil(Math.log(10e6) / Math.log(BUCKET_GROWTH)) + 1;

/** Why wrk cannot be used here, or undefined. */
export function wrkUnavailable(): string | undefined {
  const probe = spawnSync(WRK, ['--version'], { encoding: 'utf8' });
  return probe.error === undefined
    ? undefined
    : 'wrk is not installed (Debian and Ubuntu: apt-get install wrk; macOS: brew install wrk)';
}

export interface WrkResult {
  requests: number;
  seconds: number;
  /** Of the batches' latencies (a batch: the `pipelining` requests a connection sends at once), as recorded. */
  p50Ms: number;
  p99Ms: number;
  /** The same latencies in buckets, so rounds can be pooled. */
  latency: Histogram;
  /** Answers with a status of 400 or more (wrk counts them apart). */
  non2xx: number;
  /** Connect, read and write errors, and requests unanswered after 10 s. */
  errors: number;
}

interface Report {
  requests: number;
  durationUs: number;
  non2xx: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  p50Us: number;
  p99Us: number;
  buckets: [number, number][];
}

/** An empty histogram in the buckets wrk-report.lua prints. */
export function emptyHistogram(): Histogram {
  return { growth: BUCKET_GROWTH, counts: new Float64Array(BUCKETS) };
}

/** One closed-loop run: `connections` connections, each keeping `pipelining` requests in the pipe. */
export async function wrk(url: string, seconds: number, connections: number, pipelining: number): Promise<WrkResult> {
  const { stdout } = await promisify(execFile)(
    WRK,
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', SCRIPT, url],
    {
      env: {
        ...process.env,
        WRK_PIPELINE: String(pipelining),
        WRK_CONNECTIONS: String(connections),
        WRK_BUCKET_GROWTH: String(BUCKET_GROWTH),
      },
      encoding: 'utf8',
    },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const report = JSON.parse(line) as Report;
  const latency = emptyHistogram();
  for (const [bucket, count] of report.buckets) {
    const at = Math.min(bucket, BUCKETS - 1);
    latency.counts[at] = (latency.counts[at] ?? 0) + count;
  }
  return {
    requests: report.requests,
    seconds: report.durationUs / 1e6,
    p50Ms: report.p50Us / 1000,
    p99Ms: report.p99Us / 1000,
    latency,
    non2xx: report.non2xx,
    errors: report.connect + report.read + report.write + report.timeout,
  };
}
