// A test hook, never part of the product: loaded before the server with `node --import` (or NODE_OPTIONS
// in a container), it holds every request for /api/time RESPONSE_DELAY_MS milliseconds before the app
// sees it, so a test or benchmark can stop the server while a request is certainly in flight. The moment
// it starts holding one it writes a line to stderr: tests wait for that line, not for a guessed sleep.
import { writeSync } from 'node:fs';
import { Server } from 'node:http';

/** This file, from the repository's root: what `node --import ./…` names. */
export const RESPONSE_DELAY_HOOK = 'scripts/lib/response-delay.ts';
export const HOLDING_MARKER = 'response-delay: holding';

const delayMs = Number(process.env.RESPONSE_DELAY_MS ?? '0');
if (!Number.isInteger(delayMs) || delayMs < 0) throw new Error(`RESPONSE_DELAY_MS must be whole milliseconds`);

type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the server as `this`
const emit = Server.prototype.emit as Emit;
const emitWithDelay: Emit = function (event, ...args) {
  const request = args[0] as { method?: string; url?: string } | undefined;
  if (event !== 'request' || delayMs === 0 || request?.url?.startsWith('/api/time') !== true) {
    return emit.call(this, event, ...args);
  }
  // Synchronous, so the line is out before the test's next step can run.
  writeSync(2, `${HOLDING_MARKER} ${String(request.method)} ${request.url} for ${delayMs} ms\n`);
  setTimeout(() => emit.call(this, event, ...args), delayMs);
  return true;
};
Server.prototype.emit = emitWithDelay;
