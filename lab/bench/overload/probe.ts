// A kubelet's liveness probe, as a process of its own: GET /healthz once a second, each on a new connection
// with a 2 s timeout, until SIGTERM; then one line of JSON, the probes answered 200 and those that were not.
// Its own process, so that the load generator's busy event loop cannot delay a probe past its timeout.
//
//   node lab/bench/overload/probe.ts HOST PORT
import { every } from '../../lib/every.ts';
import { answers200 } from '../../../test/support/load/connection.ts';

export interface Probes {
  answered: number;
  failed: number;
}

if (import.meta.main) {
  const [host = '127.0.0.1', port = '5000'] = process.argv.slice(2);
  const probes: Probes = { answered: 0, failed: 0 };
  const stop = { requested: false };
  process.on('SIGTERM', () => {
    stop.requested = true;
  });
  await every(1_000, stop, async () => {
    if (await answers200({ host, port: Number(port) }, '/healthz', 2_000)) probes.answered += 1;
    else probes.failed += 1;
  });
  process.stdout.write(`${JSON.stringify(probes)}\n`);
}
