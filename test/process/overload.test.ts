import { describe, expect, it } from 'vitest';
import { burst, runFleet } from '../support/load/clients.ts';
import { answers200, firstAnswer, type Address } from '../support/load/connection.ts';
import { startServer } from '../support/server-process.ts';

// The built server under a connection flood far past a low limit: real sockets, the real clock, and bounds
// about behaviour (it sheds, answers its probes, stays up), not speed. `npm run bench -- --images` runs the
// full matrix against both images under memory limits.
const MAX_CONNECTIONS = 100;

/** /healthz on a new connection every 100 ms while `running()`, as a kubelet probes; counts the 200s. */
async function probe(address: Address, running: () => boolean): Promise<{ answered: number; tried: number }> {
  const probes = { answered: 0, tried: 0 };
  while (running()) {
    probes.tried += 1;
    if (await answers200(address, '/healthz', 5_000)) probes.answered += 1;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return probes;
}

describe('overload', () => {
  it('sheds past MAX_CONNECTIONS with 503s and refusals, answers probes, stays up and serves at once after', async () => {
    const server = await startServer({ env: { MAX_CONNECTIONS: String(MAX_CONNECTIONS), METRICS_PORT: '0' } });
    const metricsPort = (JSON.parse(await server.stdoutShows('"msg":"metrics listening on')) as { port: number }).port;
    const address = { host: '127.0.0.1', port: server.port };
    let loading = true;
    const running = () => loading;
    const probes = probe(address, running);
    const probesOffThePublicPort = probe({ host: '127.0.0.1', port: metricsPort }, running);
    const [flood, crowd] = await Promise.all([
      burst(address, 1_000),
      runFleet(address, { clients: 500, everyMs: 50, pipelining: 1, seconds: 3, path: '/api/time' }),
    ]);
    loading = false;

    expect(server.child.exitCode).toBeNull();
    expect(flood.answered + crowd.answered).toBeGreaterThan(0);
    expect(flood.unavailable + crowd.unavailable).toBeGreaterThan(0);
    expect(flood.refused + crowd.refused).toBeGreaterThan(0);
    // On the public port a probe competes with the flood for a place in the overflow lane; on the metrics
    // listener it never has to.
    expect((await probes).answered).toBeGreaterThan(0);
    const offThePublicPort = await probesOffThePublicPort;
    expect(offThePublicPort.tried).toBeGreaterThan(0);
    expect(offThePublicPort.answered).toBe(offThePublicPort.tried);
    await firstAnswer(address, '/api/time', 10_000);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain(`moscow_time_connections_max ${MAX_CONNECTIONS}`);
    expect(Number(/^moscow_time_shed_total\{reason="unavailable"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^moscow_time_shed_total\{reason="refused"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // Shedding is reported in a line of its own; nothing else is wrong, and nothing went to stderr.
    const lines = server
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; level: number });
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(server.stderr()).toBe('');
  }, 90_000);
});
