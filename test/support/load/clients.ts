import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Address, ClientConnection, CONNECT_TIMEOUT, type Outcome } from './connection.ts';

// The load shapes of the overload matrix, each a crowd of raw client connections (connection.ts) that
// classifies every request: answered (2xx), shed (a 503, or a connection the server refused), or failed.

export interface Tally {
  /** 2xx answers. */
  answered: number;
  /** 503 answers: the server said it is overloaded. */
  unavailable: number;
  /** Connections the server closed before answering anything: refused at accept. */
  refused: number;
  /** Timeouts, resets after earlier answers, and any other status. */
  failed: number;
  /** Milliseconds from request to answer, of the 2xx answers only. */
  latenciesMs: number[];
}

function newTally(): Tally {
  return { answered: 0, unavailable: 0, refused: 0, failed: 0, latenciesMs: [] };
}

function record(tally: Tally, outcome: Outcome): void {
  if (outcome.kind === 'refused') tally.refused += 1;
  else if (outcome.kind === 'failed') tally.failed += 1;
  else if (outcome.status >= 200 && outcome.status < 300) {
    tally.answered += 1;
    tally.latenciesMs.push(outcome.ms);
  } else if (outcome.status === 503) tally.unavailable += 1;
  else tally.failed += 1;
}

// A connection refused or reset by the server is shed; one that could not be made in time (the listen
// queue full, the SYN dropped and retried) is a failure the server did not choose.
function countConnectFailure(tally: Tally, error: unknown): void {
  if (error instanceof Error && error.message === CONNECT_TIMEOUT) tally.failed += 1;
  else tally.refused += 1;
}

const REQUEST_TIMEOUT_MS = 10_000;

export interface FleetSettings {
  clients: number;
  /** Each client sends its next request this long after the last one went out, or at once when that is
   * past (it waits for each answer first, as a browser does: HTTP/1.1 without pipelining). */
  everyMs: number;
  /** Requests in flight per connection (1: none pipelined). */
  pipelining: number;
  seconds: number;
  path: string;
}

async function keepAliveClient(address: Address, settings: FleetSettings, startAt: number, tally: Tally) {
  const deadline = startAt + settings.seconds * 1000;
  await sleep(Math.max(0, startAt - performance.now()));
  let connection: ClientConnection | undefined;
  while (performance.now() < deadline) {
    const sentAt = performance.now();
    if (connection === undefined || connection.closed) {
      try {
        connection = await ClientConnection.open(address);
      } catch (error) {
        countConnectFailure(tally, error);
        connection = undefined;
        await sleep(Math.max(0, sentAt + settings.everyMs - performance.now()));
        continue;
      }
    }
    const open = connection;
    const outcomes = await Promise.all(
      Array.from({ length: settings.pipelining }, () => open.get(settings.path, REQUEST_TIMEOUT_MS)),
    );
    for (const outcome of outcomes) record(tally, outcome);
    // A refusal or a `Connection: close` ends the connection; the client opens a new one next time.
    if (outcomes.some((outcome) => outcome.kind !== 'answered' || outcome.closes)) {
      open.close();
      connection = undefined;
    }
    await sleep(Math.max(0, sentAt + settings.everyMs - performance.now()));
  }
  connection?.close();
}

/**
 * `clients` keep-alive clients, each sending a request every `everyMs`, their starts spread evenly over
 * the first second (clients arriving, not one synchronised connect storm: `burst` is that).
 */
export async function runFleet(address: Address, settings: FleetSettings): Promise<Tally> {
  const tally = newTally();
  const now = performance.now();
  await Promise.all(
    Array.from({ length: settings.clients }, (_, index) =>
      keepAliveClient(address, settings, now + (index * 1000) / settings.clients, tally),
    ),
  );
  return tally;
}

export interface SlowClientsResult {
  /** Slow connections opened, first ones and replacements. */
  opened: number;
  /** Closed by the server (its header timeout), with a 408 or without. */
  closedByServer: number;
}

/**
 * `count` connections that send a request line and then one header line a second, never finishing the
 * header block (slowloris); each one the server closes is replaced, as an attacker would, until the end.
 */
export async function holdSlowClients(address: Address, count: number, seconds: number): Promise<SlowClientsResult> {
  const result: SlowClientsResult = { opened: 0, closedByServer: 0 };
  const deadline = performance.now() + seconds * 1000;
  const slowClient = async (startAfterMs: number) => {
    await sleep(startAfterMs);
    while (performance.now() < deadline) {
      const closed = await new Promise<boolean>((resolve) => {
        result.opened += 1;
        const connection = connect(address);
        connection.on('error', () => undefined);
        const trickle = setInterval(() => connection.write('X-Slow: 1\r\n'), 1000);
        const end = setTimeout(
          () => {
            clearInterval(trickle);
            connection.resetAndDestroy();
            resolve(false);
          },
          Math.max(0, deadline - performance.now()),
        );
        connection.once('close', () => {
          clearInterval(trickle);
          clearTimeout(end);
          resolve(true);
        });
        connection.write('GET /api/time HTTP/1.1\r\nHost: load\r\n');
      });
      if (closed && performance.now() < deadline) result.closedByServer += 1;
      else if (!closed) return;
      await sleep(100);
    }
  };
  await Promise.all(Array.from({ length: count }, (_, index) => slowClient((index * 1000) / count)));
  return result;
}

/** `attempts` connections opened at the same instant, each sending one request. */
export async function burst(address: Address, attempts: number): Promise<Tally> {
  const tally = newTally();
  await Promise.all(
    Array.from({ length: attempts }, async () => {
      let connection: ClientConnection;
      try {
        connection = await ClientConnection.open(address);
      } catch (error) {
        countConnectFailure(tally, error);
        return;
      }
      record(tally, await connection.get('/api/time', REQUEST_TIMEOUT_MS));
      connection.close();
    }),
  );
  return tally;
}
