import { Agent, request } from 'node:http';
import { APP_BUNDLE, spawnServer } from './server-process.ts';
import { firstHealthy } from '../../test/support/healthz.ts';
import { setTimeout as sleep } from 'node:timers/promises';

// SIGTERM while clients keep sending on keep-alive connections, as in a `docker stop` under load. Each client
// reuses one connection and sends its next request as soon as the last answer arrives; every outcome is
// classified, and compared with the requests the server logged, to tell a lost request (accepted by the
// server, never answered) from the close race every keep-alive server has (a request written to a
// connection the server was closing, which the server never read).

export interface StopUnderLoadSettings {
  connections: number;
  /** Load before the signal. */
  warmMs: number;
  runs: number;
}

export interface StopUnderLoadRun {
  answered: number;
  /** ECONNRESET or a closed socket on a request sent over a reused keep-alive connection. */
  resetOnReusedConnection: number;
  /** Any other reset (on a fresh connection). */
  resetOnNewConnection: number;
  /** Refused: the listener had closed; nothing was sent. */
  refused: number;
  /** Request lines the server logged: every request it read. */
  serverLogged: number;
  /** Read by the server but not answered (logged with completed: false): lost requests. */
  lost: number;
  exitCode: number | null;
}

interface Client {
  answered: number;
  resetReused: number;
  resetNew: number;
  refused: number;
}

function once(agent: Agent, port: number): Promise<'answered' | 'reset-reused' | 'reset-new' | 'refused'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/time', agent }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve('answered');
      });
      res.on('error', () => {
        resolve(req.reusedSocket ? 'reset-reused' : 'reset-new');
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve('refused');
      else resolve(req.reusedSocket ? 'reset-reused' : 'reset-new');
    });
    req.end();
  });
}

async function client(port: number, until: () => boolean): Promise<Client> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const counts: Client = { answered: 0, resetReused: 0, resetNew: 0, refused: 0 };
  try {
    while (!until()) {
      const outcome = await once(agent, port);
      if (outcome === 'answered') counts.answered += 1;
      else if (outcome === 'reset-reused') counts.resetReused += 1;
      else if (outcome === 'reset-new') counts.resetNew += 1;
      else {
        counts.refused += 1;
        return counts;
      }
    }
    return counts;
  } finally {
    agent.destroy();
  }
}

/** A server to load and stop: a local process, or a container stopped with `docker stop`. */
export interface StopTarget {
  start(): Promise<{ port: number; stop: () => Promise<number | null>; logs: () => Promise<string> }>;
}

export const localProcess: StopTarget = {
  async start() {
    const server = await spawnServer({ file: APP_BUNDLE, node: 'images', stdout: 'pipe' });
    let stdout = '';
    server.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await firstHealthy(server.port);
    return { port: server.port, stop: () => server.stop(), logs: () => Promise.resolve(stdout) };
  },
};

async function stopOnce(target: StopTarget, settings: StopUnderLoadSettings): Promise<StopUnderLoadRun> {
  const server = await target.start();
  let stopped = false;
  const clients = Array.from({ length: settings.connections }, () => client(server.port, () => stopped));
  await sleep(settings.warmMs);
  const exitCode = await server.stop();
  stopped = true;
  const totals = (await Promise.all(clients)).reduce(
    (sum, counts) => ({
      answered: sum.answered + counts.answered,
      resetReused: sum.resetReused + counts.resetReused,
      resetNew: sum.resetNew + counts.resetNew,
      refused: sum.refused + counts.refused,
    }),
    { answered: 0, resetReused: 0, resetNew: 0, refused: 0 },
  );
  const requests = (await server.logs())
    .split('\n')
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as { path: string; completed: boolean })
    .filter((record) => record.path === '/api/time');
  return {
    answered: totals.answered,
    resetOnReusedConnection: totals.resetReused,
    resetOnNewConnection: totals.resetNew,
    refused: totals.refused,
    serverLogged: requests.length,
    lost: requests.filter((record) => !record.completed).length,
    exitCode,
  };
}

export async function measureStopUnderLoad(
  target: StopTarget,
  settings: StopUnderLoadSettings,
): Promise<StopUnderLoadRun[]> {
  const runs: StopUnderLoadRun[] = [];
  for (let run = 0; run < settings.runs; run += 1) runs.push(await stopOnce(target, settings));
  return runs;
}

if (import.meta.main) {
  const runs = await measureStopUnderLoad(localProcess, { connections: 50, warmMs: 2_000, runs: 3 });
  for (const run of runs) console.log(JSON.stringify(run));
}
