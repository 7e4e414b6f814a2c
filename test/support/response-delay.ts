// A test hook, never part of the product: loaded before the server with `node --import` (or NODE_OPTIONS
// in a container), it holds every answer to /api/time RESPONSE_DELAY_MS milliseconds before it goes out,
// like a slow handler, so a test or benchmark can stop the server while a request is certainly in flight.
// The moment it starts holding one it writes a line to stderr: tests wait for that line, not for a sleep.
import { writeSync } from 'node:fs';
import { ServerResponse } from 'node:http';

/** This file, from the repository's root: what `node --import ./…` names. */
export const RESPONSE_DELAY_HOOK = 'test/support/response-delay.ts';
export const HOLDING_MARKER = 'response-delay: holding';

/**
 * What a Node process started from the repository's root needs to load the hook, holding each /api/time
 * answer `delayMs` milliseconds: its flags and its environment. Nothing when `delayMs` is undefined.
 */
export function responseDelayLaunch(delayMs: number | undefined): { nodeArgs: string[]; env: Record<string, string> } {
  if (delayMs === undefined) return { nodeArgs: [], env: {} };
  return { nodeArgs: ['--import', `./${RESPONSE_DELAY_HOOK}`], env: { RESPONSE_DELAY_MS: String(delayMs) } };
}

const delayMs = Number(process.env.RESPONSE_DELAY_MS ?? '0');
if (!Number.isInteger(delayMs) || delayMs < 0) throw new Error(`RESPONSE_DELAY_MS must be whole milliseconds`);

type End = (this: ServerResponse, ...args: unknown[]) => ServerResponse;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the response as `this`
const end = ServerResponse.prototype.end as End;
const endWhenHeld: End = function (...args) {
  const url = this.req.url ?? '';
  if (!url.startsWith('/api/time')) return end.apply(this, args);
  // Synchronous, so the line is out before the test's next step can run.
  writeSync(2, `${HOLDING_MARKER} ${this.req.method} ${url} for ${delayMs} ms\n`);
  setTimeout(() => end.apply(this, args), delayMs);
  return this;
};
// Only when asked: the tests and the benchmark import this file for its names, and their own servers
// must stay untouched.
if (delayMs > 0) ServerResponse.prototype.end = endWhenHeld as typeof ServerResponse.prototype.end;
