// What an attack costs everyone else, measured from outside it, as a process of its own (so that the
// harness's and the attacker's busy event loops cannot delay it):
// - a polite client: one request at a time, ten a second, on a keep-alive connection (a new one when the
//   server closes it); answered means a 200, or a 503 with Retry-After (a refusal it can act on), within 1 s;
// - a liveness probe, as a kubelet's: GET /healthz on a new connection once a second, answered within 1 s.
// On SIGTERM it prints one line of JSON (Observed) and exits.
//
//   node lab/adversarial/observer.ts HOST PORT PROBE_PORT
import { Agent, request } from 'node:http';
import { every } from '../lib/every.ts';

export interface Observed {
  polite: { tried: number; answered: number };
  probes: { tried: number; answered: number };
}

const WITHIN_MS = 1_000;

/** Resolves true when GET `path` gets an acceptable answer within WITHIN_MS. */
function get(
  host: string,
  port: number,
  path: string,
  agent: Agent | false,
  accept: (status: number, retryAfter: boolean) => boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      req.destroy();
      resolve(false);
    }, WITHIN_MS);
    const req = request({ host, port, path, agent }, (res) => {
      const ok = accept(res.statusCode ?? 0, res.headers['retry-after'] !== undefined);
      res.resume().on('end', () => {
        clearTimeout(timer);
        resolve(ok);
      });
    });
    req.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    req.end();
  });
}

if (import.meta.main) {
  const [host = '127.0.0.1', port = '5000', probePort = port] = process.argv.slice(2);
  const observed: Observed = { polite: { tried: 0, answered: 0 }, probes: { tried: 0, answered: 0 } };
  const stop = { requested: false };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const polite = every(100, stop, async () => {
    observed.polite.tried += 1;
    const accept = (status: number, retryAfter: boolean) => status === 200 || (status === 503 && retryAfter);
    if (await get(host, Number(port), '/api/time', agent, accept)) observed.polite.answered += 1;
  });
  const probes = every(1_000, stop, async () => {
    observed.probes.tried += 1;
    if (await get(host, Number(probePort), '/healthz', false, (status) => status === 200))
      observed.probes.answered += 1;
  });
  process.on('SIGTERM', () => {
    stop.requested = true;
    void Promise.all([polite, probes]).then(() => {
      agent.destroy();
      process.stdout.write(`${JSON.stringify(observed)}\n`);
    });
  });
}
