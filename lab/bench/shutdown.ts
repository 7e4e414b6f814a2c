import { request } from 'node:http';
import { HOLDING_MARKER } from '../../test/support/response-delay.ts';
import { APP_BUNDLE, startHealthy } from './server-process.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, round } from './stats.ts';

export interface ShutdownSettings {
  inFlight: number;
  delayMs: number;
  runs: number;
}

export interface ShutdownResult {
  inFlight: number;
  /** Runs in which every request answered 200 and the process exited 0. */
  cleanRuns: number;
  runs: number;
  completed: number;
  exitCodes: (number | null)[];
  /** Signal → exit, in-flight requests still held by the response-delay hook. */
  signalToExitMs: number;
  /** Last response → exit: what shutdown itself costs once the work is done. */
  lastResponseToExitMs: number;
  /** Signal → exit with nothing in flight, which is what `docker stop` waits for on an idle server. */
  idleSignalToExitMs: number;
}

function slowRequest(port: number): Promise<{ status: number; at: number }> {
  return new Promise((resolve) => {
    // agent: false, so each request has its own connection, as from separate clients.
    const req = request({ host: '127.0.0.1', port, path: '/api/time', agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, at: performance.now() });
      });
    });
    req.on('error', () => {
      resolve({ status: 0, at: performance.now() });
    });
    req.end();
  });
}

function countHeld(stderr: string): number {
  return stderr.split(HOLDING_MARKER).length - 1;
}

async function stopOnce(settings: ShutdownSettings, inFlight: number) {
  const server = await startHealthy({ file: APP_BUNDLE, node: 'images', responseDelayMs: settings.delayMs });
  const responses = Array.from({ length: inFlight }, () => slowRequest(server.port));
  // The hook says on stderr when it holds each request: signal only once all of them are in flight.
  while (countHeld(server.stderr()) < inFlight) await sleep(5);
  const signalled = performance.now();
  const code = await server.stop();
  const exited = performance.now();
  const answers = await Promise.all(responses);
  const lastResponse = Math.max(signalled, ...answers.map((answer) => answer.at));
  return {
    code,
    completed: answers.filter((answer) => answer.status === 200).length,
    signalToExitMs: exited - signalled,
    lastResponseToExitMs: exited - lastResponse,
  };
}

export async function measureShutdown(settings: ShutdownSettings): Promise<ShutdownResult> {
  const busy = [];
  const idle = [];
  for (let run = 0; run < settings.runs; run += 1) {
    busy.push(await stopOnce(settings, settings.inFlight));
    idle.push(await stopOnce(settings, 0));
  }
  return {
    inFlight: settings.inFlight,
    runs: settings.runs,
    cleanRuns: busy.filter((run) => run.code === 0 && run.completed === settings.inFlight).length,
    completed: Math.min(...busy.map((run) => run.completed)),
    exitCodes: busy.map((run) => run.code),
    signalToExitMs: round(median(busy.map((run) => run.signalToExitMs)), 1),
    lastResponseToExitMs: round(median(busy.map((run) => run.lastResponseToExitMs)), 1),
    idleSignalToExitMs: round(median(idle.map((run) => run.signalToExitMs)), 1),
  };
}
